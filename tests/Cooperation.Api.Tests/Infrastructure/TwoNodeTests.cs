using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;
using Npgsql;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// Two service processes on one database in <c>Balanced</c> mode (issue 15, ADR 25): both take writes, also racing on
/// the same streams and invoicing for one provider at once; the reports' projection runs on one node at a time and
/// applies each event once; <c>kill -9</c> of that node moves it to the other within the bound its settings give; and
/// afterwards the reports equal a rebuild. The test's own trigger records every batch the projection commits, with
/// the connection's application name, which names the node.
/// </summary>
public sealed class TwoNodeTests(AppFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    private static readonly TimeSpan HealthCheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(5);
    private static readonly string Acd = Tokens.For("service-centre", "bochum", "acd");
    private static readonly string Finance = Tokens.For("finance", "bochum", "fiona");

    private sealed class Node(string name, Process process, HttpClient http, ConcurrentQueue<string> log)
    {
        public string Name { get; } = name;
        public Process Process { get; } = process;
        public HttpClient Http { get; } = http;
        public ConcurrentQueue<string> Log { get; } = log;
        public volatile bool Alive = true;
    }

    private sealed record Batch(long Id, int Generation, long From, long To, string Node);

    private sealed record Sample(TimeSpan At, string Node);

    private sealed class Sampler
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public ConcurrentQueue<Sample> Seen { get; } = new();

        public TimeSpan Elapsed => _clock.Elapsed;

        public Task Task { get; set; } = Task.CompletedTask;
    }

    [Fact]
    public async Task Two_nodes_share_the_writes_run_the_reports_once_and_fail_over_after_kill_9()
    {
        var schema = "twonodes_" + Guid.NewGuid().ToString("N")[..10];
        var nodes = new List<Node>();
        try
        {
            // The schema first, as an operator applies it before the nodes start (README, "Several nodes"): else nodes in
            // Development make document tables on first use, and two of them at once collide (a 409 or 500 seen here).
            await AppProcess.RunAsync(Environment(schema, "coop-setup", AppProcess.FreePort()), null, "resources", "setup");
            var starting = new[] { StartNodeAsync("coop-a", schema), StartNodeAsync("coop-b", schema) }; // together
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                nodes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            await using var db = new NpgsqlConnection(Fixture.ConnectionString);
            await db.OpenAsync();
            var assigned = Stopwatch.StartNew();
            while (await ScalarAsync<string>(db, $"select node_id::text from {schema}.wolverine_node_assignments where id like 'event-subscriptions://%/reportfigures/all'") is null
                || await ScalarAsync<string>(db, $"select to_regclass('{schema}.co_report_generations')::text") is null)
            {
                Assert.True(assigned.Elapsed < TimeSpan.FromMinutes(1), "No node got the reports' projection within a minute.\n" + Tails(nodes));
                await Task.Delay(100);
            }

            output.WriteLine($"The leader assigned the reports' projection {assigned.Elapsed.TotalSeconds:N1} s after both nodes answered.");
            await RecordBatchesAsync(db, schema);

            var contract = UniqueId("contract");
            await SendAsync(nodes[0], "/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), HttpStatusCode.Created);
            await EachNodeDecidesOnTheOthersContractChangesAsync(nodes);
            await InvoicingThroughBothNodesNumbersWithoutGapsAsync(nodes);
            await RacingStepsThroughBothNodesSettleOnOneAsync(nodes, db, schema, contract);

            // Live calls through both nodes, and kill -9 of the node running the reports' projection meanwhile.
            using var stop = new CancellationTokenSource();
            var acknowledged = 0;
            var refused = new ConcurrentQueue<string>();
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    Interlocked.Add(ref acknowledged, await LiveCallAsync(nodes, contract, w, i, refused));
                }
            })).ToList();
            var sampler = SampleLiveLockAsync(schema, stop.Token);

            // Until the projection has committed a batch of the live calls, and the sampler has seen its node at work.
            var startedWriting = (await BatchesAsync(db, schema)).LastOrDefault()?.Id ?? 0;
            var running = Stopwatch.StartNew();
            List<Batch> runningBatches;
            while ((runningBatches = await BatchesAsync(db, schema)).Count == 0 || runningBatches[^1].Id == startedWriting
                || !sampler.Seen.Any(s => s.Node == runningBatches[^1].Node))
            {
                Assert.True(running.Elapsed < TimeSpan.FromMinutes(1), $"No batch of the live calls within a minute; refused: {string.Join('\n', refused)}\n{Tails(nodes)}");
                await Task.Delay(100);
            }

            var victim = nodes.Single(n => n.Name == runningBatches[^1].Node);
            var survivor = nodes.Single(n => n != victim);
            var runnerNode = await ScalarAsync<string>(db, $"select node_id::text from {schema}.wolverine_node_assignments where id like 'event-subscriptions://%/reportfigures/all'");
            var leaderNode = await ScalarAsync<string>(db, $"select node_id::text from {schema}.wolverine_node_assignments where id = 'wolverine://leader/'");

            victim.Alive = false;
            var killedAt = sampler.Elapsed;
            victim.Process.Kill(); // SIGKILL, this process only: kill -9
            var sinceKill = Stopwatch.StartNew();
            await victim.Process.WaitForExitAsync();
            // Its last commit may still be under way in PostgreSQL: the boundary is drawn once its sessions are gone.
            while (await ScalarAsync<long>(db, $"select count(*) from pg_stat_activity where application_name = '{victim.Name}'") > 0)
            {
                Assert.True(sinceKill.Elapsed < TimeSpan.FromMinutes(1), "The killed node's sessions stayed in PostgreSQL for a minute.");
                await Task.Delay(50);
            }

            var goneAt = sampler.Elapsed;
            var lastOfVictim = await ScalarAsync<long>(db, $"select coalesce(max(id), 0) from {schema}.test_report_batches where node = '{victim.Name}'");
            TimeSpan? moved = null, applied = null;
            while (applied is null || !sampler.Seen.Any(s => s.At > goneAt))
            {
                var now = await ScalarAsync<string>(db, $"select node_id::text from {schema}.wolverine_node_assignments where id like 'event-subscriptions://%/reportfigures/all'");
                if (moved is null && now is not null && now != runnerNode)
                {
                    moved = sinceKill.Elapsed;
                }

                if (applied is null && await ScalarAsync<long?>(db, $"select min(id) from {schema}.test_report_batches where id > {lastOfVictim}") is not null)
                {
                    applied = sinceKill.Elapsed;
                }

                Assert.True(sinceKill.Elapsed < TimeSpan.FromMinutes(2), $"The reports' projection did not move within 2 minutes.\n{Tails(nodes)}");
                await Task.Delay(100);
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // a few more writes on the survivor alone
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await sampler.Task;
            var bound = StaleAfter + (3 * HealthCheck) + TimeSpan.FromSeconds(15); // the rest: the agent's start, a batch, a busy machine
            output.WriteLine($"kill -9 of {victim.Name} (running the reports{(runnerNode == leaderNode ? ", and the leader" : ", not the leader")}): " +
                $"assignment moved to {survivor.Name} after {moved?.TotalSeconds:N1} s, its first batch committed after {applied.Value.TotalSeconds:N1} s " +
                $"(settings: stale after {StaleAfter.TotalSeconds:N0} s, health check every {HealthCheck.TotalSeconds:N0} s; asserted below {bound.TotalSeconds:N0} s); " +
                $"{acknowledged} live calls acknowledged meanwhile.");
            Assert.True(refused.IsEmpty, $"Live writes refused: {string.Join('\n', refused)}\n{Tails(nodes)}");
            Assert.NotNull(moved);
            Assert.True(applied < bound, $"Failover took {applied.Value.TotalSeconds:N1} s");

            // One node at a time: every batch committed by the victim until the kill, by the survivor after it; and every
            // session seen holding or awaiting the live generation's lock (sampled every 20 ms) the victim's before the
            // kill, the survivor's once the victim's sessions were gone. A second runner would show there even when it
            // found nothing to apply.
            var batches = await BatchesAsync(db, schema);
            var live = batches.Where(b => b.Generation == batches[0].Generation).ToList();
            Assert.All(live.Where(b => b.Id <= lastOfVictim), b => Assert.Equal(victim.Name, b.Node));
            Assert.All(live.Where(b => b.Id > lastOfVictim), b => Assert.Equal(survivor.Name, b.Node));
            Assert.All(sampler.Seen.Where(s => s.At < killedAt), s => Assert.Equal(victim.Name, s.Node));
            Assert.All(sampler.Seen.Where(s => s.At > goneAt), s => Assert.Equal(survivor.Name, s.Node));
            Assert.DoesNotContain(nodes.SelectMany(n => n.Log), line => line.Contains("out of order", StringComparison.OrdinalIgnoreCase));
            output.WriteLine($"{live.Count} batches of the reports' projection, {live.Count(b => b.Id <= lastOfVictim)} on {victim.Name}, the rest on " +
                $"{survivor.Name}; the live lock seen {sampler.Seen.Count(s => s.At < killedAt)} times with {victim.Name} before the kill, " +
                $"{sampler.Seen.Count(s => s.At > goneAt)} times with {survivor.Name} after, never with another.");
            await AppProcess.ReportsCurrentAsync(survivor.Http, TimeSpan.FromMinutes(2));

            // The reports after the failover equal a rebuild from the events.
            var report = await SendAsync(survivor, $"/api/reports/quarterly/{contract}/2022/1", null, Tokens.For("finance", "castrop-rauxel"), HttpStatusCode.OK);
            var projected = await ReportTables.SnapshotAsync(Fixture.ConnectionString, schema);
            var rebuilding = Stopwatch.StartNew();
            await AppProcess.RunAsync(Environment(schema, "coop-rebuild", AppProcess.FreePort()), null, "rebuild-reports");
            var rebuilt = await ReportTables.SnapshotAsync(Fixture.ConnectionString, schema);
            Assert.NotEqual(projected.Generation, rebuilt.Generation);
            Assert.Equal(projected.Rows, rebuilt.Rows);
            var afterRebuild = await SendAsync(survivor, $"/api/reports/quarterly/{contract}/2022/1", null, Tokens.For("finance", "castrop-rauxel"), HttpStatusCode.OK);
            Assert.Equal(report!["total"]!.ToJsonString(), afterRebuild!["total"]!.ToJsonString());
            output.WriteLine($"Reports equal a rebuild ({rebuilt.Rows.Count} rows, rebuilt in {rebuilding.Elapsed.TotalSeconds:N1} s); " +
                $"the quarter's total: {report["total"]!.ToJsonString()}");
        }
        finally
        {
            foreach (var node in nodes.Where(n => !n.Process.HasExited))
            {
                node.Process.Kill(entireProcessTree: true);
                await node.Process.WaitForExitAsync();
            }

            // Each node's whole output, for a failure's story: TestResults/two-nodes/ beside the tests' binaries.
            var logs = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults", "two-nodes")).FullName;
            foreach (var node in nodes)
            {
                await File.WriteAllLinesAsync(Path.Combine(logs, node.Name + ".log"), node.Log);
                node.Http.Dispose();
                node.Process.Dispose();
            }

            await Fixture.DropSchemaAsync(schema);
        }
    }

    /// <summary>
    /// A node keeps contracts in memory; a change made through the other node must still count at once: a call after a
    /// termination made elsewhere is refused, and one on a line added elsewhere is taken.
    /// </summary>
    private async Task EachNodeDecidesOnTheOthersContractChangesAsync(List<Node> nodes)
    {
        var (a, b) = (nodes[0], nodes[1]);
        var contract = UniqueId("contract");
        await SendAsync(a, "/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), HttpStatusCode.Created);
        await SendAsync(b, "/api/calls", Offer(UniqueId("c"), contract, "buergerbuero", "2021-07-05T09:00:00+02:00"), Acd, HttpStatusCode.Created);
        await SendAsync(b, "/api/calls", Offer(UniqueId("c"), contract, "ordnungswesen", "2021-07-05T09:00:00+02:00"), Acd, HttpStatusCode.NotFound);

        await SendAsync(a, $"/api/contracts/{contract}/termination", new JsonObject { ["endsOn"] = "2021-12-31" }, Tokens.ContractAdmin(), HttpStatusCode.OK);
        await SendAsync(a, $"/api/contracts/{contract}/service-lines",
            new JsonObject { ["code"] = "ordnungswesen", ["name"] = "Ordnungswesen", ["from"] = "2021-07-01" }, Tokens.ContractAdmin(), HttpStatusCode.OK);

        await SendAsync(b, "/api/calls", Offer(UniqueId("c"), contract, "buergerbuero", "2022-01-03T09:00:00+01:00"), Acd, HttpStatusCode.Conflict);
        await SendAsync(b, "/api/calls", Offer(UniqueId("c"), contract, "ordnungswesen", "2021-07-05T09:00:00+02:00"), Acd, HttpStatusCode.Created);
    }

    /// <summary>
    /// Eight quarters at once and one quarter four times at once, spread over both nodes: numbers 1 to 9 of the
    /// provider, no gap. On a contract of its own: an invoiced quarter takes no more calls.
    /// </summary>
    private async Task InvoicingThroughBothNodesNumbersWithoutGapsAsync(List<Node> nodes)
    {
        var contract = UniqueId("billed");
        await SendAsync(nodes[1], "/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), HttpStatusCode.Created);
        var requests = Enumerable.Range(0, 8).Select(i => new JsonObject { ["contractId"] = contract, ["year"] = 2021 + (i / 4), ["quarter"] = (i % 4) + 1 })
            .Concat(Enumerable.Range(0, 4).Select(_ => new JsonObject { ["contractId"] = contract, ["year"] = 2020, ["quarter"] = 4 }))
            .ToList();
        using var start = new SemaphoreSlim(0);
        var sending = requests.Select(async (body, i) =>
        {
            await start.WaitAsync();
            return await PostAsync(nodes[i % 2], "/api/invoices", body, Finance);
        }).ToList();
        start.Release(requests.Count);
        var answers = await Task.WhenAll(sending);

        Assert.All(answers, a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{(int)a.Status}: {a.Body?.ToJsonString()}"));
        var numbers = answers.Where(a => a.Status == HttpStatusCode.Created).Select(a => (string)a.Body!["number"]!).Order().ToList();
        var year = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Year; // the year of issue
        Assert.Equal(Enumerable.Range(1, 9).Select(n => $"BO-{year}-{n:0000}"), numbers);
        Assert.Equal(3, answers.Count(a => a.Status == HttpStatusCode.Conflict));
    }

    /// <summary>Calls answered and abandoned at once through both nodes: one step wins per call, and only it is stored.</summary>
    private async Task RacingStepsThroughBothNodesSettleOnOneAsync(List<Node> nodes, NpgsqlConnection db, string schema, string contract)
    {
        var calls = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var callId = UniqueId("race");
            await SendAsync(nodes[i % 2], "/api/calls", Offer(callId, contract, "buergerbuero", "2022-01-04T09:15:00+01:00"), Acd, HttpStatusCode.Created);
            calls.Add(callId);
        }

        var racing = calls.SelectMany(id => Enumerable.Range(0, 16).Select(n => (Id: id, Node: nodes[n % 2], Kind: n % 4 < 2 ? "answered" : "abandoned")))
            .OrderBy(_ => Random.Shared.Next()).ToList();
        using var start = new SemaphoreSlim(0);
        var sending = racing.Select(async r =>
        {
            await start.WaitAsync();
            var body = r.Kind == "answered"
                ? new JsonObject { ["answeredAt"] = "2022-01-04T09:15:20+01:00", ["agentId"] = "agent-7" }
                : new JsonObject { ["abandonedAt"] = "2022-01-04T09:15:25+01:00" };
            return (r.Id, r.Kind, Answer: await PostAsync(r.Node, $"/api/calls/{r.Id}/{r.Kind}", body, Acd));
        }).ToList();
        start.Release(racing.Count);
        var answers = await Task.WhenAll(sending);

        Assert.All(answers, a => Assert.True(a.Answer.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{a.Kind}: {(int)a.Answer.Status}: {a.Answer.Body?.ToJsonString()}"));
        foreach (var id in calls)
        {
            var won = answers.Where(a => a.Id == id && a.Answer.Status == HttpStatusCode.OK).Select(a => a.Kind).Distinct().ToList();
            var stored = await ScalarAsync<string>(db,
                $"select string_agg(type, ',') from {schema}.mt_events where stream_id = '{StreamKeys.Call(id)}' and type in ('call_answered', 'call_abandoned')");
            Assert.Equal("call_" + Assert.Single(won), stored);
        }

        output.WriteLine($"Racing steps through both nodes: {answers.Count(a => a.Answer.Status == HttpStatusCode.OK)} acknowledged, " +
            $"{answers.Count(a => a.Answer.Status == HttpStatusCode.Conflict)} refused as conflicts, one step stored per call.");
    }

    /// <summary>Offer, answer and complete one call, each request to the next living node; 1 when all three were acknowledged.</summary>
    private static async Task<int> LiveCallAsync(List<Node> nodes, string contract, int writer, int i, ConcurrentQueue<string> refused)
    {
        var callId = $"live-{writer}-{i}-{Guid.NewGuid():N}";
        var offeredAt = new DateTimeOffset(2022, 1, 10, 8, 0, 0, TimeSpan.FromHours(1)).AddSeconds((i * 4) + writer);
        var steps = new (string Url, JsonObject Body)[]
        {
            ("/api/calls", Offer(callId, contract, "buergerbuero", offeredAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz"))),
            ($"/api/calls/{callId}/answered", new JsonObject { ["answeredAt"] = offeredAt.AddSeconds(12).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), ["agentId"] = "agent-1" }),
            ($"/api/calls/{callId}/completed", new JsonObject { ["completedAt"] = offeredAt.AddMinutes(3).ToString("yyyy-MM-dd'T'HH:mm:sszzz"), ["outcome"] = "resolved" }),
        };
        for (var s = 0; s < steps.Length; s++)
        {
            var alive = nodes.Where(n => n.Alive).ToList();
            try
            {
                var node = alive[(i + s + writer) % alive.Count];
                var answer = await PostAsync(node, steps[s].Url, steps[s].Body, Acd);
                if ((int)answer.Status is < 200 or >= 300)
                {
                    refused.Enqueue($"{node.Name}: {steps[s].Url}: {(int)answer.Status} {answer.Body?.ToJsonString()}");
                    return 0;
                }
            }
            catch (HttpRequestException)
            {
                return 0; // sent to the node as it was killed: not acknowledged, the call is left where it is
            }
        }

        return 1;
    }

    private async Task<Node> StartNodeAsync(string name, string schema)
    {
        var port = AppProcess.FreePort();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) };
        var log = new ConcurrentQueue<string>();
        try
        {
            var process = await AppProcess.StartServiceAsync(Environment(schema, name, port), http, log: line => log.Enqueue(line));
            return new Node(name, process, http, log);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    private Dictionary<string, string> Environment(string schema, string name, int port)
    {
        var environment = new Dictionary<string, string>(Tokens.HostSettings)
        {
            // The application name marks the node's connections: the batches' trigger records it.
            ["ConnectionStrings__Cooperation"] = $"{Fixture.ConnectionString};Application Name={name}",
            ["Cooperation__Schema"] = schema,
            ["Cooperation__Nodes"] = "Balanced",
            ["Cooperation__NodeHealthCheck"] = HealthCheck.ToString(),
            ["Cooperation__NodeStaleAfter"] = StaleAfter.ToString(),
            ["Cooperation__HealthFresh"] = "00:00:00",
            ["Cooperation__DailyDigest"] = "false",
            ["Cooperation__DailyRetention"] = "false",
            ["Cooperation__RateLimits__Enabled"] = "false",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        return environment;
    }

    /// <summary>
    /// Every 20 ms, which nodes' sessions hold or await the advisory lock each batch of the reports' projection takes on
    /// the live generation (ReportGenerations.LockLiveAsync), by their application name.
    /// </summary>
    private Sampler SampleLiveLockAsync(string schema, CancellationToken stop)
    {
        var sampler = new Sampler();
        sampler.Task = Task.Run(async () =>
        {
            await using var db = new NpgsqlConnection(Fixture.ConnectionString);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand($"""
                select a.application_name
                from pg_locks l join pg_stat_activity a on a.pid = l.pid
                cross join (select hashtextextended('{schema}.co_report_generations:live', 0) as key) k
                where l.locktype = 'advisory' and l.database = (select oid from pg_database where datname = current_database())
                  and l.classid::bigint = (k.key >> 32) & 4294967295 and l.objid::bigint = k.key & 4294967295
                """, db);
            while (!stop.IsCancellationRequested)
            {
                var at = sampler.Elapsed;
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        sampler.Seen.Enqueue(new Sample(at, reader.IsDBNull(0) ? "?" : reader.GetString(0)));
                    }
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None);
        return sampler;
    }

    /// <summary>The test's trigger: every change of a generation's position, with the application name of the connection that made it.</summary>
    private static async Task RecordBatchesAsync(NpgsqlConnection db, string schema)
    {
        await using var command = new NpgsqlCommand($"""
            create table {schema}.test_report_batches (
                id bigserial primary key, generation int not null, from_position bigint not null, to_position bigint not null, node text not null);
            create function {schema}.test_record_batch() returns trigger language plpgsql as $$
            begin
                insert into {schema}.test_report_batches (generation, from_position, to_position, node)
                values (new.generation, old.position, new.position, current_setting('application_name'));
                return new;
            end $$;
            create trigger test_record_batch after update of position on {schema}.co_report_generations
                for each row when (new.position is distinct from old.position) execute function {schema}.test_record_batch();
            """, db);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<Batch>> BatchesAsync(NpgsqlConnection db, string schema)
    {
        await using var command = new NpgsqlCommand(
            $"select id, generation, from_position, to_position, node from {schema}.test_report_batches order by id", db);
        await using var reader = await command.ExecuteReaderAsync();
        var batches = new List<Batch>();
        while (await reader.ReadAsync())
        {
            batches.Add(new Batch(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetString(4)));
        }

        return batches;
    }

    private static async Task<T?> ScalarAsync<T>(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    private static JsonObject Offer(string callId, string contract, string line, string offeredAt) =>
        new() { ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = line, ["offeredAt"] = offeredAt };

    private static Task<(HttpStatusCode Status, JsonNode? Body)> PostAsync(Node node, string url, JsonNode body, string token) =>
        RequestAsync(node, url, body, token);

    /// <summary>A GET (no body) or a POST of JSON; fails the test unless it is answered with <paramref name="status"/>.</summary>
    private static async Task<JsonNode?> SendAsync(Node node, string url, JsonNode? body, string token, HttpStatusCode status)
    {
        var (answered, json) = await RequestAsync(node, url, body, token);
        Assert.True(answered == status, $"{node.Name}: {(body is null ? "GET" : "POST")} {url}: {(int)answered}: {json?.ToJsonString()}");
        return json;
    }

    private static async Task<(HttpStatusCode Status, JsonNode? Body)> RequestAsync(Node node, string url, JsonNode? body, string token)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await node.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    private static string Tails(IEnumerable<Node> nodes) =>
        string.Join('\n', nodes.Select(n => $"--- {n.Name}:\n" + string.Join('\n', n.Log.TakeLast(40))));
}
