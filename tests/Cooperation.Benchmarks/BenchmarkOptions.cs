using System.Globalization;

namespace Cooperation.Benchmarks;

/// <summary>
/// The command line: <c>[--lines N] [--seconds S] [--calls N] [--sizes M,…] [--seed N] [--only import|live|reports|audit] [--keep]</c>.
/// <c>Sizes</c> are counts of events in the store (given in millions).
/// </summary>
public sealed record BenchmarkOptions(int Lines, int Seconds, string? Only, bool Keep, int Calls, IReadOnlyList<long> Sizes, int Seed)
{
    public const string Usage =
        "dotnet run -c Release --project tests/Cooperation.Benchmarks -- [--lines 100000] [--seconds 15] [--calls 250000] " +
        "[--sizes 0.3,1.2,4.8] [--seed 2022] [--only import|live|reports|audit] [--keep]";

    /// <summary>The live phase's levels of concurrency: one client, a few, and more clients than the machine has cores by far.</summary>
    public static IReadOnlyList<int> Concurrencies { get; } = [1, 8, 32];

    public bool RunsImport => Only is null or "import";

    public bool RunsLive => Only is null or "live";

    public bool RunsReports => Only is null or "reports";

    public bool RunsAudit => Only is null or "audit";

    /// <summary>Not measured: the first requests of a level open connections and fill the pools.</summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Math.Min(3, Seconds / 3.0));

    public TimeSpan Duration => TimeSpan.FromSeconds(Seconds);

    /// <summary>The options, or an <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions(100_000, 15, null, false, 250_000, [], 2022);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"{args[i - 1]} takes a whole number above 0.");
            options = args[i] switch
            {
                "--lines" => options with { Lines = Positive() },
                "--seconds" => options with { Seconds = Positive() },
                "--calls" => options with { Calls = Positive() },
                "--sizes" => options with { Sizes = Millions(Value()) },
                "--seed" => options with { Seed = Positive() },
                "--only" => options with
                {
                    Only = Value() is "import" or "live" or "reports" or "audit" ? args[i] : throw new ArgumentException("--only takes 'import', 'live', 'reports' or 'audit'."),
                },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return options;
    }

    /// <summary>"0.3,1.2,4.8" (millions of events) as counts of events, ascending.</summary>
    private static long[] Millions(string list)
    {
        var sizes = list.Split(',').Select(m =>
            decimal.TryParse(m, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var millions) && millions > 0 && millions <= 1000
                ? (long)(millions * 1_000_000)
                : throw new ArgumentException("--sizes takes millions of events above 0, separated by commas (e.g. 0.3,1.2,4.8)."));
        return [.. sizes.Distinct().Order()];
    }
}
