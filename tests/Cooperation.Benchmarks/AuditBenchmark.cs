using System.Diagnostics;
using System.Net.Http.Headers;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;
using Npgsql;

namespace Cooperation.Benchmarks;

/// <summary>
/// What the audit chain (ADR 21) costs and what its readers take: live ingestion and the bulk import with the chain's
/// trigger and, in the same run, without it (rounds alternating, so drift hits both alike); then <c>verify</c> and the
/// NDJSON export over everything stored, beside a plain read of the same events (<c>COPY … TO STDOUT</c>).
/// </summary>
public static class AuditBenchmark
{
    public sealed record Figures(
        double LiveWith, double LiveWithout, double P99With, double P99Without, double LiveRatio,
        double ImportWith, double ImportWithout, double ImportRatio,
        long Events, double VerifySeconds, double ExportSeconds, long ExportBytes, double ReadSeconds, bool Intact, bool Ok)
    {
        public double LiveSlowdown => 1 - LiveRatio;
    }

    private const int Concurrency = 8;
    private const int Rounds = 3;

    public static async Task<Figures> RunAsync(ServiceProcess service, HttpClient http, string connectionString, string schema, BenchmarkOptions options)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var imports = Math.Max(1_000, options.Lines / 4);
        var ok = true;
        long calls = 0;
        var with = new List<(double Import, double Live, double P99)>();
        var without = new List<(double Import, double Live, double P99)>();

        // Round 0 warms both up and is not counted; then the order alternates, so that drift hits both alike.
        for (var round = 0; round <= Rounds; round++)
        {
            foreach (var chained in round % 2 == 0 ? new[] { true, false } : [false, true])
            {
                await SetChainAsync(dataSource, schema, chained);
                var label = $"round {round}{(round == 0 ? " (warm-up)" : string.Empty)}, {(chained ? "with" : "without")} the chain";

                // A contract of its own per import, so that every import writes only new calls.
                var contract = $"bench-audit-{round}-{(chained ? "with" : "without")}";
                await Benchmark.SignAsync(http, ContractRequests.Sign(contract));
                await service.WaitForReportsAsync(); // the projection's backlog would slow whichever run came first
                var pass = await ImportBenchmark.ImportAsync(http, CallRecords.Generate(contract, imports).Select(r => r with { CallId = $"{contract}-{r.CallId}" }), null);
                var events = (double)pass.Result.Accepted * 3;
                Console.WriteLine($"  {label}: import of {imports:N0} lines in {pass.Elapsed.TotalSeconds:F2} s, {events / pass.Elapsed.TotalSeconds:N0} events/s");
                ok &= pass.Result.Accepted == imports;

                await service.WaitForReportsAsync();
                var live = await LoadRun.RunAsync($"{label}, live c={Concurrency}", Concurrency, options.WarmUp, options.Duration,
                    _ => new LiveBenchmark.VirtualClient(http, contract, $"audit-{round}-{chained}", () => Interlocked.Increment(ref calls)).NextAsync);
                LiveBenchmark.Report($"  {label}, live c={Concurrency}", "requests", live, null);
                ok &= live.Failed == 0;
                if (round > 0)
                {
                    (chained ? with : without).Add((events / pass.Elapsed.TotalSeconds, live.PerSecond, live.P99));
                }
            }
        }

        // Each round's pair compared, the median of the rounds taken: one noisy run does not decide it.
        var liveRatio = Median(with.Zip(without, (w, o) => w.Live / o.Live));
        var importRatio = Median(with.Zip(without, (w, o) => w.Import / o.Import));
        Console.WriteLine($"  live ratios by round: {string.Join(", ", with.Zip(without, (w, o) => $"{w.Live / o.Live:F2}"))}; " +
            $"import ratios: {string.Join(", ", with.Zip(without, (w, o) => $"{w.Import / o.Import:F2}"))}");

        await SetChainAsync(dataSource, schema, true);
        // The events written while the trigger was away have no links: link them now, as an operator could not,
        // so that verify reads an intact store of the same size.
        await LinkUnchainedAsync(dataSource, schema);

        var totalEvents = await ImportBenchmark.ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events");
        service.ResetPhaseMemory();
        using var auditor = new HttpRequestMessage(HttpMethod.Get, "/api/audit/verify");
        auditor.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(Roles.Auditor, null, "bench-auditor"));
        var watch = Stopwatch.StartNew();
        using var verified = await http.SendAsync(auditor);
        var verifyBody = await verified.Content.ReadAsStringAsync();
        var verifySeconds = watch.Elapsed.TotalSeconds;
        var intact = verified.IsSuccessStatusCode && verifyBody.Contains("\"brokenLinks\":[]", StringComparison.Ordinal);
        Console.WriteLine($"  verify: {totalEvents:N0} events in {verifySeconds:F2} s ({(int)verified.StatusCode}, {(intact ? "intact" : "NOT intact: " + verifyBody[..Math.Min(400, verifyBody.Length)])})");

        using var export = new HttpRequestMessage(HttpMethod.Get,
            $"/api/audit/events?from={Uri.EscapeDataString("2000-01-01T00:00:00Z")}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}");
        export.Headers.Authorization = auditor.Headers.Authorization;
        watch.Restart();
        using var exported = await http.SendAsync(export, HttpCompletionOption.ResponseHeadersRead);
        long bytes = 0, lines = 0;
        await using (var body = await exported.Content.ReadAsStreamAsync())
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                bytes += read;
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }

        var exportSeconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"  export: {lines:N0} events, {bytes / 1e6:N0} MB in {exportSeconds:F2} s; service memory in the phase {service.PhaseMemory()}");
        ok &= lines == totalEvents;

        var readSeconds = await ReadAllAsync(dataSource, schema);
        Console.WriteLine($"  baseline: COPY of every event's row to the client in {readSeconds:F2} s");
        return new Figures(
            with.Average(r => r.Live), without.Average(r => r.Live), with.Max(r => r.P99), without.Max(r => r.P99), liveRatio,
            with.Average(r => r.Import), without.Average(r => r.Import), importRatio,
            totalEvents, verifySeconds, exportSeconds, bytes, readSeconds, intact, ok && intact);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task SetChainAsync(NpgsqlDataSource dataSource, string schema, bool on)
    {
        await using var command = dataSource.CreateCommand(on
            ? AuditChain.SchemaSql(schema)
            : $"drop trigger if exists co_chain_events on {schema}.mt_events");
        await command.ExecuteNonQueryAsync();
    }

    private static async Task LinkUnchainedAsync(NpgsqlDataSource dataSource, string schema)
    {
        // A statement over exactly the unlinked events, run as the service's trigger would: the same SQL, in order.
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand($"""
            set {AuditChain.Setting} = 'on';
            create temporary table unlinked on commit drop as
              select e.* from {schema}.mt_events e
              where not exists (select 1 from {schema}.{AuditChain.Table} l where l.seq_id = e.seq_id);
            """, connection);
        await using var transaction = await connection.BeginTransactionAsync();
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync();
        // Deleting and inserting them again fires the trigger over them in one statement.
        await using var again = new NpgsqlCommand($"""
            delete from {schema}.mt_events e using unlinked u where e.seq_id = u.seq_id;
            insert into {schema}.mt_events select * from unlinked order by seq_id;
            """, connection, transaction);
        await again.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private static async Task<double> ReadAllAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var watch = Stopwatch.StartNew();
        using var reader = await connection.BeginTextExportAsync(
            $"copy (select seq_id, stream_id, version, type, data, timestamp, user_name, correlation_id from {schema}.mt_events order by seq_id) to stdout");
        var buffer = new char[1 << 16];
        while (await reader.ReadAsync(buffer, 0, buffer.Length) > 0)
        {
        }

        return watch.Elapsed.TotalSeconds;
    }
}
