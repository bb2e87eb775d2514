using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using Npgsql;

namespace Cooperation.Benchmarks;

/// <summary>
/// The bulk import <c>POST /api/calls/batch</c> (ADR 9) with generated call records, against a raw COPY of the events
/// it stored in the same run; then the same lines again, to measure what a repeat costs.
/// </summary>
public static class ImportBenchmark
{
    internal sealed record Pass(BatchResult Result, TimeSpan Elapsed);

    /// <summary>What the import measured. <c>Ok</c>: every line accepted the first time, a duplicate the second.</summary>
    public sealed record Figures(
        int Lines, long Events, TimeSpan First, TimeSpan Repeat, TimeSpan Copy, long MostBehind, TimeSpan ReportsCurrentAfter, bool Ok)
    {
        public double EventsPerSecond => Events / First.TotalSeconds;

        public double RepeatEventsPerSecond => Events / Repeat.TotalSeconds;

        public double CopyEventsPerSecond => Events / Copy.TotalSeconds;
    }

    public static async Task<Figures> RunAsync(ServiceProcess service, HttpClient http, string connectionString, string schema, string contractId, int lines)
    {
        // The endpoint's first request loads its handler and compiles Marten's queries: a one-off, not the import's cost.
        await ImportAsync(http, CallRecords.Generate(contractId, 1).Select(r => r with { CallId = "warm-up" }), null);
        await service.WaitForReportsAsync();
        var sequenceBefore = await ScalarAsync(connectionString, $"select coalesce(max(seq_id), 0) from {schema}.mt_events");

        // The reports' projection runs beside the import (ADR 11): how far behind does it fall, how soon is it current?
        using var sampling = new CancellationTokenSource();
        var behind = 0L;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                behind = Math.Max(behind, await service.EventsBehindAsync());
                await Task.Delay(1000, CancellationToken.None);
            }
        });
        var cpu = service.MeasureCpu();
        var first = await ImportAsync(http, CallRecords.Generate(contractId, lines), "pass 1");
        var firstCpu = cpu.Summary();
        var behindAtEnd = await service.EventsBehindAsync();
        var current = await service.WaitForReportsAsync();
        await sampling.CancelAsync();
        await sampler;
        var written = await EventsAfterAsync(connectionString, schema, sequenceBefore);
        Report("Pass 1: new calls", first, written, firstCpu);
        Console.WriteLine($"""
              reports behind, most   {Math.Max(behind, behindAtEnd):N0} events (sampled every second)
              behind at the end      {behindAtEnd:N0} events, current {current.TotalSeconds:F1} s after the import's answer
              service memory         {service.Memory()}
            """);

        cpu = service.MeasureCpu();
        var second = await ImportAsync(http, CallRecords.Generate(contractId, lines), "pass 2");
        var secondCpu = cpu.Summary();
        var rewritten = await EventsAfterAsync(connectionString, schema, sequenceBefore) - written;
        Report("Pass 2: the same lines again", second, rewritten, secondCpu);
        var allDuplicates = second.Result.Duplicates == lines && second.Result.Accepted == 0 && second.Result.RejectedCount == 0 && rewritten == 0;
        Console.WriteLine($"""
              every line a duplicate, nothing stored: {(allDuplicates ? "yes" : "NO")}
              repeat time / first time  {second.Elapsed / first.Elapsed:F2}
              service memory            {service.Memory()}
            """);

        var (copy, rows) = await CopyBaseline.RunAsync(connectionString, schema, sequenceBefore);
        Console.WriteLine($"""
            Baseline: binary COPY of the events pass 1 stored into a table shaped like mt_events
              rows                {rows:N0}
              elapsed             {copy.TotalSeconds:F2} s
              events/s            {rows / copy.TotalSeconds:N0}
              import events/s     {written / first.Elapsed.TotalSeconds:N0}
              import time / COPY  {first.Elapsed / copy:F1}x
              repeat time / COPY  {second.Elapsed / copy:F1}x
            """);

        return new Figures(lines, written, first.Elapsed, second.Elapsed, copy, Math.Max(behind, behindAtEnd), current,
            allDuplicates && first.Result.Accepted == lines && rows == written);
    }

    /// <summary>Streams the records to <c>POST /api/calls/batch</c>; progress every 10,000 lines under <paramref name="label"/> (none when null).</summary>
    internal static async Task<Pass> ImportAsync(HttpClient http, IEnumerable<CallRecord> records, string? label)
    {
        var watch = Stopwatch.StartNew();
        var progress = label is null
            ? (Action<long>)(_ => { })
            : sent => Console.WriteLine($"  {label}: {sent:N0} lines sent, {watch.Elapsed.TotalSeconds:F1} s");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calls/batch") { Content = new NdjsonContent(records, progress) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ImportCallsEndpoint.NdjsonMediaType);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var result = await response.Content.ReadFromJsonAsync<BatchResult>(ApiJson.Options);
        return new Pass(result!, watch.Elapsed);
    }

    private static void Report(string title, Pass pass, long events, string cpu)
    {
        var seconds = pass.Elapsed.TotalSeconds;
        var result = pass.Result;
        Console.WriteLine($"""
            {title}
              lines               {result.Lines:N0}
              elapsed             {seconds:F2} s
              lines/s             {result.Lines / seconds:N0}
              events written      {events:N0} (mt_events)
              accepted            {result.Accepted:N0}
              duplicates          {result.Duplicates:N0}
              rejected            {result.RejectedCount:N0}
              {cpu}
            """);
        PrintRejected(result);
    }

    /// <summary>The first five lines the import refused, with why.</summary>
    internal static void PrintRejected(BatchResult result)
    {
        foreach (var rejected in result.Rejected.Take(5))
        {
            Console.WriteLine($"  rejected line {rejected.Line} ({rejected.CallId}, {rejected.Status}): " +
                string.Join("; ", rejected.Errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")));
        }
    }

    private static Task<long> EventsAfterAsync(string connectionString, string schema, long sequence) =>
        ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events where seq_id > {sequence}");

    internal static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
