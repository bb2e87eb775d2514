using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Cooperation.Benchmarks;

/// <summary>
/// Rebuilding the reports' projection from every stored event as an operator does it: the service stopped, the app's
/// own command run against its schema, the service started again. Timed from the command's start to its end (its
/// start-up included), beside what reading the same events takes at the least (<see cref="ReadBaseline"/>).
/// </summary>
public static partial class ProjectionRebuild
{
    /// <summary>The command, after <c>dotnet Cooperation.Api.dll</c>: the one place to change when it is renamed.</summary>
    public static readonly IReadOnlyList<string> Command = ["rebuild-reports"];

    /// <summary>What a rebuild took; <c>Projections</c>: each projection's own time, where the command's output says it.</summary>
    public sealed record Figures(
        long Events, TimeSpan Elapsed, TimeSpan Read, double PeakMb, IReadOnlyDictionary<string, TimeSpan> Projections, bool Ok,
        long ReadsDuring = 0, long ReadsWrong = 0)
    {
        public double EventsPerSecond => Events / Elapsed.TotalSeconds;

        public double ReadEventsPerSecond => Events / Read.TotalSeconds;

        public double MicrosecondsPerEvent => Elapsed.TotalMicroseconds / Events;

        public double ReadMicrosecondsPerEvent => Read.TotalMicroseconds / Events;

        /// <summary>The rebuild's events/s as a fraction of the read's.</summary>
        public double Ratio => EventsPerSecond / ReadEventsPerSecond;
    }

    /// <param name="read">A reader run over and over while the rebuild runs beside the service: true when the report it got was whole.</param>
    public static async Task<Figures> RunAsync(ServiceProcess service, string connectionString, string schema, Func<Task<bool>>? read = null)
    {
        var events = await ImportBenchmark.ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events");
        Console.WriteLine($"Rebuild: beside the running service, 'dotnet Cooperation.Api.dll {string.Join(' ', Command)}' over {events:N0} events");
        var finished = new ConcurrentDictionary<string, TimeSpan>();
        long applied = 0, reads = 0, wrong = 0;
        using var stop = new CancellationTokenSource();
        var readers = read is null ? Task.CompletedTask : Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref reads);
                if (!await read())
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });
        var watch = Stopwatch.StartNew();
        var run = await service.RunBesideAsync(Command,
            line =>
            {
                if (Finished().Match(line) is { Success: true } match)
                {
                    applied = long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                    finished["reports"] = TimeSpan.FromSeconds(double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
                }
                else if (line.StartsWith("Reports:", StringComparison.Ordinal))
                {
                    Console.WriteLine($"  {line}");
                }
            },
            () => Task.CompletedTask);
        await stop.CancelAsync();
        await readers;
        var (baseline, readEvents) = await ReadBaseline.RunAsync(connectionString, schema);
        // The command's own count and time: the events of the reports' types, without its start-up.
        var figures = new Figures(applied > 0 ? applied : events, finished.GetValueOrDefault("reports", run.Elapsed), baseline,
            run.PeakMb, finished, run.ExitCode == 0 && applied > 0, reads, wrong);
        Console.WriteLine($"""
              exit code           {run.ExitCode}{(run.ExitCode == 0 ? string.Empty : $" (see the service's log)")}
              elapsed             {run.Elapsed.TotalSeconds:F2} s with its start-up; by its own count {figures.Elapsed.TotalSeconds:F2} s for {figures.Events:N0} events
              events/s            {figures.EventsPerSecond:N0} ({figures.MicrosecondsPerEvent:F1} µs/event)
              its process         VmHWM {run.PeakMb:N0} MB (sampled every 250 ms)
              reports read meanwhile {reads:N0}, of which not whole or not 200: {wrong:N0}
            Baseline: one connection reads the {readEvents:N0} events in order and parses each one's data (System.Text.Json)
              elapsed             {baseline.TotalSeconds:F2} s
              events/s            {figures.ReadEventsPerSecond:N0} ({figures.ReadMicrosecondsPerEvent:F2} µs/event)
              rebuild / read      {figures.Ratio:F3} of its events/s
            """);
        return figures;
    }

    /// <summary>How far each projection has got, as <c>mt_event_progression</c> says (the high-water marks left out).</summary>
    private static async Task<string> ProgressAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var select = new NpgsqlCommand(
            $"select name, last_seq_id from {schema}.mt_event_progression where name not like 'HighWater%' order by name", connection);
        await using var reader = await select.ExecuteReaderAsync();
        var shards = new List<string>();
        while (await reader.ReadAsync())
        {
            shards.Add($"{reader.GetString(0)} at {reader.GetInt64(1):N0}");
        }

        return shards.Count == 0 ? "no progress recorded yet" : string.Join(", ", shards);
    }

    /// <summary>The rebuild's last line: "… serves the reports: 1,234 events in 5.6 s (…)".</summary>
    [GeneratedRegex(@"serves the reports: ([\d,]+) events in ([\d.]+) s")]
    private static partial Regex Finished();
}
