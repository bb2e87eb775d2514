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
    public static readonly IReadOnlyList<string> Command = ["projections", "rebuild"];

    /// <summary>What a rebuild took; <c>Projections</c>: each projection's own time, where the command's output says it.</summary>
    public sealed record Figures(
        long Events, TimeSpan Elapsed, TimeSpan Read, double PeakMb, IReadOnlyDictionary<string, TimeSpan> Projections, bool Ok)
    {
        public double EventsPerSecond => Events / Elapsed.TotalSeconds;

        public double ReadEventsPerSecond => Events / Read.TotalSeconds;

        public double MicrosecondsPerEvent => Elapsed.TotalMicroseconds / Events;

        public double ReadMicrosecondsPerEvent => Read.TotalMicroseconds / Events;

        /// <summary>The rebuild's events/s as a fraction of the read's.</summary>
        public double Ratio => EventsPerSecond / ReadEventsPerSecond;
    }

    public static async Task<Figures> RunAsync(ServiceProcess service, string connectionString, string schema)
    {
        var events = await ImportBenchmark.ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events");
        Console.WriteLine($"Rebuild: the service stopped, 'dotnet Cooperation.Api.dll {string.Join(' ', Command)}' over {events:N0} events");
        var finished = new ConcurrentDictionary<string, TimeSpan>();
        var watch = Stopwatch.StartNew();
        var run = await service.RunStoppedAsync(Command,
            line =>
            {
                if (Finished().Match(line) is { Success: true } match)
                {
                    finished[match.Groups[1].Value] = TimeSpan.FromMilliseconds(double.Parse(match.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
                }
            },
            async () => Console.WriteLine($"  rebuild: {watch.Elapsed.TotalSeconds:F0} s; {await ProgressAsync(connectionString, schema)} of {events:N0} events"));
        var (read, readEvents) = await ReadBaseline.RunAsync(connectionString, schema);
        var figures = new Figures(events, run.Elapsed, read, run.PeakMb, finished, run.ExitCode == 0);
        Console.WriteLine($"""
              exit code           {run.ExitCode}{(run.ExitCode == 0 ? string.Empty : $" (see the service's log)")}
              elapsed             {run.Elapsed.TotalSeconds:F2} s (its start-up included); the command's own figures: {(finished.IsEmpty ? "none found in its output" : string.Join(", ", finished.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value.TotalSeconds:F2} s")))}
              events/s            {figures.EventsPerSecond:N0} ({figures.MicrosecondsPerEvent:F1} µs/event)
              its process         VmHWM {run.PeakMb:N0} MB (sampled every 250 ms)
            Baseline: one connection reads the {readEvents:N0} events in order and parses each one's data (System.Text.Json)
              elapsed             {read.TotalSeconds:F2} s
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

    /// <summary>The line JasperFx prints when one projection is rebuilt: "Finished rebuilding CallFacts in 864 ms".</summary>
    [GeneratedRegex(@"Finished rebuilding (\S+) in ([\d,]+) ms")]
    private static partial Regex Finished();
}
