using System.Globalization;

namespace Cooperation.Benchmarks;

/// <summary>The command line: <c>[--lines N] [--seconds S] [--only import|live] [--keep]</c>.</summary>
public sealed record BenchmarkOptions(int Lines, int Seconds, string? Only, bool Keep)
{
    public const string Usage =
        "dotnet run -c Release --project tests/Cooperation.Benchmarks -- [--lines 100000] [--seconds 15] [--only import|live] [--keep]";

    /// <summary>The live phase's levels of concurrency: one client, a few, and more clients than the machine has cores by far.</summary>
    public static IReadOnlyList<int> Concurrencies { get; } = [1, 8, 32];

    public bool RunsImport => Only is null or "import";

    public bool RunsLive => Only is null or "live";

    /// <summary>Not measured: the first requests of a level open connections and fill the pools.</summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Math.Min(3, Seconds / 3.0));

    public TimeSpan Duration => TimeSpan.FromSeconds(Seconds);

    /// <summary>The options, or an <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static BenchmarkOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchmarkOptions(100_000, 15, null, false);
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
                "--only" => options with
                {
                    Only = Value() is "import" or "live" ? args[i] : throw new ArgumentException("--only takes 'import' or 'live'."),
                },
                "--keep" => options with { Keep = true },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'."),
            };
        }

        return options;
    }
}
