using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Alba;
using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Reports;
using Cooperation.Api.Tests.Fixtures;
using Cooperation.LocalPostgres;
using JasperFx.CommandLine;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace Cooperation.Benchmarks;

/// <summary>
/// Measures the bulk import <c>POST /api/calls/batch</c> (ADR 9) with generated call records against a raw COPY of
/// the same events in the same run, then sends the same lines again to measure what a repeat costs.
/// <c>dotnet run -c Release --project tests/Cooperation.Benchmarks -- [--lines 100000] [--keep]</c>
/// </summary>
public static class ImportBenchmark
{
    private const string Database = "cooperation_bench";
    private const string ContractId = "bench-bochum-castrop-rauxel";
    private static readonly string Acd = Tokens.For(Roles.ServiceCentre, "bochum", "acd");

    private sealed record Pass(BatchResult Result, TimeSpan Elapsed, long AllocatedBytes);

    public static async Task<int> Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        var index = Array.IndexOf(args, "--lines");
        var lines = index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : 100_000;
        var keep = args.Contains("--keep");
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..10];

        var connectionString = await LocalDatabase.EnsureAsync(Database, Console.WriteLine);
        Environment.SetEnvironmentVariable(LocalDatabase.EnvironmentVariable, connectionString);
        Environment.SetEnvironmentVariable("Cooperation__Schema", schema);
        // The host's information logs would bury the figures; its warnings and errors still show.
        Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
        Tokens.ConfigureHost();
        JasperFxEnvironment.AutoStartHost = true;
        // WebApplicationFactory finds the API's content root through MvcTestingAppManifest.json in the current
        // directory: the output directory under `dotnet test`, wherever the caller stands under `dotnet run`.
        Directory.SetCurrentDirectory(AppContext.BaseDirectory);
        Console.WriteLine($"Benchmark: {lines:N0} lines to POST /api/calls/batch, database {Database}, schema {schema}");
        try
        {
            await using var host = await AlbaHost.For<Program>(builder => builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
                // Wolverine would scan the entry assembly, this one, and find no endpoints.
                services.ConfigureWolverine(opts => opts.ApplicationAssembly = typeof(Program).Assembly);
            }));
            return await RunAsync(host, connectionString, schema, lines);
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"Kept schema {schema} (drop it with: drop schema {schema} cascade)");
            }
            else
            {
                await ExecuteAsync(connectionString, $"drop schema if exists {schema} cascade");
            }
        }
    }

    private static async Task<int> RunAsync(IAlbaHost host, string connectionString, string schema, int lines)
    {
        using var client = host.Server.CreateClient();
        client.Timeout = Timeout.InfiniteTimeSpan; // a night's file takes longer than HttpClient's 100 s default
        using (var sign = new HttpRequestMessage(HttpMethod.Post, "/api/contracts") { Content = JsonContent.Create(ContractRequests.Sign(ContractId)) })
        {
            sign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.ContractAdmin());
            using var signed = await client.SendAsync(sign);
            signed.EnsureSuccessStatusCode();
        }

        // The endpoint's first request loads its handler and compiles Marten's queries: a one-off, not the import's cost.
        await ImportAsync(client, CallRecords.Generate(ContractId, 1).Select(r => r with { CallId = "warm-up" }), null);
        var eventsBefore = await EventCountAsync(connectionString, schema);

        // The reports' projection runs beside the import (ADR 11): how far behind does it fall, how soon is it current?
        var store = host.Services.GetRequiredService<IDocumentStore>();
        using var sampling = new CancellationTokenSource();
        var behind = 0L;
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                behind = Math.Max(behind, await EventsBehindAsync(store));
                await Task.Delay(1000, CancellationToken.None);
            }
        });
        var first = await ImportAsync(client, CallRecords.Generate(ContractId, lines), "pass 1");
        var behindAtEnd = await EventsBehindAsync(store);
        var catchingUp = Stopwatch.StartNew();
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(30));
        catchingUp.Stop();
        await sampling.CancelAsync();
        await sampler;
        var written = await EventCountAsync(connectionString, schema) - eventsBefore;
        Report("Pass 1: new calls", first, written);
        Console.WriteLine($"""
              reports behind, most   {Math.Max(behind, behindAtEnd):N0} events (sampled every second)
              behind at the end      {behindAtEnd:N0} events, current {catchingUp.Elapsed.TotalSeconds:F1} s after the import's answer
            """);

        var second = await ImportAsync(client, CallRecords.Generate(ContractId, lines), "pass 2");
        var rewritten = await EventCountAsync(connectionString, schema) - eventsBefore - written;
        Report("Pass 2: the same lines again", second, rewritten);
        var allDuplicates = second.Result.Duplicates == lines && second.Result.Accepted == 0 && second.Result.RejectedCount == 0 && rewritten == 0;
        Console.WriteLine($"""
              every line a duplicate, nothing stored: {(allDuplicates ? "yes" : "NO")}
              repeat time / first time  {second.Elapsed / first.Elapsed:F2}
            """);

        var pseudonym = host.Services.GetRequiredService<CallerPseudonym>();
        var (copyElapsed, rows) = await CopyBaseline.RunAsync(connectionString, schema, store,
            CallRecords.Generate(ContractId, lines).SelectMany(r => CallRecords.EventsOf(r, pseudonym)));
        Console.WriteLine($"""
            Baseline: binary COPY of the same events into a table shaped like mt_events (run last: the passes' memory is their own)
              rows                {rows:N0}
              elapsed             {copyElapsed.TotalSeconds:F2} s
              events/s            {rows / copyElapsed.TotalSeconds:N0}
              import events/s     {written / first.Elapsed.TotalSeconds:N0}
              import time / COPY  {first.Elapsed / copyElapsed:F1}x
              repeat time / COPY  {second.Elapsed / copyElapsed:F1}x
            """);

        return allDuplicates && first.Result.Accepted == lines && rows == written ? 0 : 1;
    }

    private static async Task<Pass> ImportAsync(HttpClient client, IEnumerable<CallRecord> records, string? label)
    {
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var progress = label is null
            ? (Action<long>)(_ => { })
            : sent => Console.WriteLine($"  {label}: {sent:N0} lines sent, {watch.Elapsed.TotalSeconds:F1} s");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calls/batch") { Content = new NdjsonContent(records, progress) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(ImportCallsEndpoint.NdjsonMediaType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Acd);
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The import answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var result = await response.Content.ReadFromJsonAsync<BatchResult>(ApiJson.Options);
        return new Pass(result!, watch.Elapsed, GC.GetTotalAllocatedBytes(precise: true) - allocated);
    }

    private static void Report(string title, Pass pass, long events)
    {
        using var process = Process.GetCurrentProcess();
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
              peak working set    {process.PeakWorkingSet64 / 1048576.0:N0} MiB (process so far)
              GC allocated        {pass.AllocatedBytes / 1048576.0:N0} MiB (this pass, generator and host together)
            """);
        foreach (var rejected in result.Rejected.Take(5))
        {
            Console.WriteLine($"  rejected line {rejected.Line} ({rejected.CallId}, {rejected.Status}): " +
                string.Join("; ", rejected.Errors.Select(e => $"{e.Key}: {string.Join(' ', e.Value)}")));
        }
    }

    private static async Task<long> EventsBehindAsync(IDocumentStore store)
    {
        var (upTo, latest) = await ReportProgress.PositionAsync(store);
        return latest - upTo;
    }

    private static async Task<long> EventCountAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"select count(*) from {schema}.mt_events", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
