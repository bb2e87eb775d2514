using System.Globalization;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Cooperation.Benchmarks;

/// <summary>
/// Live ingestion as a telephony system reports calls one request at a time: each virtual client offers a new call,
/// answers it and completes it (three requests), over and over. Beside it, at the same concurrency for the same time,
/// what PostgreSQL takes for the smallest durable write: a one-row INSERT committed on its own.
/// </summary>
public static class LiveBenchmark
{
    /// <summary>A Monday, 08:00 in Berlin: in the contract's term, a year after the import's calls, in a quarter nobody invoices.</summary>
    private static readonly DateTimeOffset FirstOffer = new(2024, 1, 8, 7, 0, 0, TimeSpan.Zero);

    public sealed record Level(LoadResult Service, LoadResult Baseline)
    {
        public double Ratio => Service.PerSecond / Baseline.PerSecond;
    }

    public static async Task<IReadOnlyList<Level>> RunAsync(
        ServiceProcess service, HttpClient http, string connectionString, string schema, string contractId, BenchmarkOptions options)
    {
        // Its pool (100 connections by default) holds a connection for each client at every level.
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand($"create table {schema}.bench_baseline (id uuid primary key, data jsonb not null)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var insert = $"insert into {schema}.bench_baseline (id, data) values ($1, $2::jsonb)";
        long calls = 0, rows = 0;
        var levels = new List<Level>();
        foreach (var concurrency in BenchmarkOptions.Concurrencies)
        {
            var label = $"live c={concurrency}";
            var cpu = service.MeasureCpu();
            var served = await LoadRun.RunAsync($"{label}, service", concurrency, options.WarmUp, options.Duration,
                _ => new VirtualClient(http, contractId, "live", () => Interlocked.Increment(ref calls)).NextAsync);
            Report($"{label}, service (offer, answer, complete)", "requests", served, cpu);
            Console.WriteLine($"  reports current {(await service.WaitForReportsAsync()).TotalSeconds:F1} s later; service memory: {service.Memory()}");

            cpu = service.MeasureCpu();
            var baseline = await LoadRun.RunAsync($"{label}, INSERT+commit", concurrency, options.WarmUp, options.Duration,
                _ => () => InsertAsync(dataSource, insert, Interlocked.Increment(ref rows)));
            Report($"{label}, baseline (one-row INSERT, autocommit)", "transactions", baseline, cpu);
            levels.Add(new Level(served, baseline));
        }

        return levels;
    }

    /// <summary>A load's figures in a line (with the cores busy meanwhile, when measured), and its first failures.</summary>
    internal static void Report(string title, string what, LoadResult result, CpuUse? cpu)
    {
        Console.WriteLine($"{title}: {result.Operations:N0} {what} in {result.Elapsed.TotalSeconds:F1} s, {result.Rate}/s, " +
            $"p50/p95/p99 {result.P50:F1}/{result.P95:F1}/{result.P99:F1} ms, {result.Failed} failed" +
            (cpu is null ? string.Empty : $"; {cpu.Summary()} (warm-up included)"));
        foreach (var failure in result.FirstFailures)
        {
            Console.WriteLine($"  failed: {failure}");
        }
    }

    private static async Task<string?> InsertAsync(NpgsqlDataSource dataSource, string sql, long row)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7(), NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter<string>
        {
            TypedValue = $$"""{"callId":"baseline-{{row}}","step":"offered","at":"{{Instant(FirstOffer.AddSeconds(row))}}"}""",
            NpgsqlDbType = NpgsqlDbType.Text,
        });
        try
        {
            await command.ExecuteNonQueryAsync();
            return null;
        }
        catch (NpgsqlException e)
        {
            return $"INSERT: {e.Message}";
        }
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// One telephony line: offers a new call (<paramref name="prefix"/> and the number <paramref name="nextCall"/> gives),
    /// answers it 20 s later, completes it as resolved three minutes after.
    /// </summary>
    internal sealed class VirtualClient(HttpClient http, string contractId, string prefix, Func<long> nextCall)
    {
        private int step;
        private string callId = string.Empty;
        private DateTimeOffset offeredAt;

        public async Task<string?> NextAsync()
        {
            var (url, body) = step switch
            {
                0 => Offer(),
                1 => ($"/api/calls/{callId}/answered", $$"""{"answeredAt":"{{Instant(offeredAt.AddSeconds(20))}}","agentId":"agent-07"}"""),
                _ => ($"/api/calls/{callId}/completed",
                    $$"""{"completedAt":"{{Instant(offeredAt.AddMinutes(3))}}","outcome":"resolved","topic":"Reisepass"}"""),
            };
            var failure = await Requests.SendAsync(http,
                new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
            // After a failure the call starts over with a new one: its next step would only fail too.
            step = failure is null ? (step + 1) % 3 : 0;
            return failure;
        }

        private (string, string) Offer()
        {
            var call = nextCall();
            callId = $"{prefix}-{call:0000000}";
            offeredAt = FirstOffer.AddSeconds(call * 10);
            return ("/api/calls", $$"""
                {"callId":"{{callId}}","contractId":"{{contractId}}","serviceLine":"{{CallRecords.ServiceLine}}","offeredAt":"{{Instant(offeredAt)}}"}
                """);
        }
    }
}
