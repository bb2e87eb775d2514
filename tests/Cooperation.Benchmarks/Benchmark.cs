using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;
using Cooperation.LocalPostgres;
using Npgsql;

namespace Cooperation.Benchmarks;

/// <summary>
/// The write path's benchmark (docs/benchmarks.md): starts the built service as its own process on a fresh schema,
/// measures the bulk import and live ingestion over HTTP, each beside a baseline of plain PostgreSQL measured in the
/// same run, and prints one table.
/// </summary>
public static class Benchmark
{
    private const string Database = "cooperation_bench";
    private const string ContractId = "bench-bochum-castrop-rauxel";

    public static async Task<int> Main(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"{e.Message}\nUsage: {BenchmarkOptions.Usage}");
            return 2;
        }

#if DEBUG
        Console.WriteLine("WARNING: this is a Debug build: its figures mean nothing. Run it with -c Release.");
#endif
        var schema = "bench_" + Guid.NewGuid().ToString("N")[..10];
        var connectionString = await LocalDatabase.EnsureAsync(Database, Console.WriteLine);
        Tokens.ConfigureHost(); // the service inherits the settings that make it trust the tokens minted here
        Console.WriteLine($"Benchmark: database {Database}, schema {schema}, {Environment.ProcessorCount} cores; " +
            (options.RunsImport ? $"import {options.Lines:N0} lines; " : string.Empty) +
            (options.RunsLive ? $"live {options.Seconds} s per level at concurrency {string.Join(", ", BenchmarkOptions.Concurrencies)}; " : string.Empty) +
            (options.RunsReports ? $"reports with {options.Calls:N0} calls in a contract-quarter, seed {options.Seed}" : string.Empty));
        try
        {
            await using var service = await ServiceProcess.StartAsync(connectionString, schema);
            service.KeepLog = options.Keep;
            Console.WriteLine($"Service started at {service.BaseAddress}; memory: {service.Memory()}");
            var ok = await RunAsync(service, connectionString, schema, options);
            Console.WriteLine(service.LogSummary);
            return ok ? 0 : 1;
        }
        finally
        {
            if (options.Keep)
            {
                Console.WriteLine($"Kept schema {schema} (drop it with: drop schema {schema} cascade)");
            }
            else
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task<bool> RunAsync(ServiceProcess service, string connectionString, string schema, BenchmarkOptions options)
    {
        // One connection for each live client; the import's and /health's own besides.
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = BenchmarkOptions.Concurrencies.Max() + 2 };
        using var http = new HttpClient(handler, disposeHandler: false)
        {
            BaseAddress = service.BaseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // a night's file takes longer than HttpClient's 100 s default
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(Roles.ServiceCentre, "bochum", "acd"));
        await SignAsync(http, ContractRequests.Sign(ContractId));

        var table = new ResultTable();
        var ok = true;
        if (options.RunsImport)
        {
            Console.WriteLine($"Phase: bulk import, {options.Lines:N0} lines");
            var import = await ImportBenchmark.RunAsync(service, http, connectionString, schema, ContractId, options.Lines);
            table.AddImport(import);
            ok &= import.Ok;
        }

        if (options.RunsLive)
        {
            Console.WriteLine($"Phase: live ingestion, {options.Seconds} s per level after {options.WarmUp.TotalSeconds:F0} s of warm-up");
            using var live = new HttpClient(handler, disposeHandler: false) { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            live.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
            var levels = await LiveBenchmark.RunAsync(service, live, connectionString, schema, ContractId, options);
            table.AddLive(levels);
            ok &= levels.All(l => l.Service.Failed == 0 && l.Baseline.Failed == 0);
        }

        if (options.RunsReports)
        {
            Console.WriteLine($"Phase: reports, {options.Calls:N0} calls in one contract-quarter" +
                (options.Sizes.Count > 0 ? $"; sizes {string.Join(", ", options.Sizes.Select(s => $"{s:N0}"))} events" : string.Empty));
            var reports = await ReportsBenchmark.RunAsync(service, connectionString, schema, ContractId, options);
            table.AddReports(reports);
            ok &= reports.Ok;
        }

        if (options.RunsAudit)
        {
            Console.WriteLine($"Phase: audit chain, live c=8 and imports with and without the chain, then verify and export");
            var audit = await AuditBenchmark.RunAsync(service, http, connectionString, schema, options);
            table.AddAudit(audit);
            ok &= audit.Ok;
        }

        table.AddMemory(service.Memory());
        Console.WriteLine();
        table.Print();
        return ok;
    }

    /// <summary>Signs a contract as the contract admin (<c>POST /api/contracts</c>).</summary>
    internal static async Task SignAsync(HttpClient http, JsonObject contract)
    {
        using var sign = new HttpRequestMessage(HttpMethod.Post, "/api/contracts") { Content = JsonContent.Create(contract) };
        sign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.ContractAdmin());
        using var signed = await http.SendAsync(sign);
        if (!signed.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Signing '{contract["contractId"]}' answered {(int)signed.StatusCode}: {await signed.Content.ReadAsStringAsync()}");
        }
    }
}
