using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Npgsql;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// The service as its own process, killed with SIGKILL in the middle of a bulk import and of concurrent live
/// writes, then started again on the same schema: nothing acknowledged is missing, every batch line is whole or
/// absent, the file sent again reports the stored lines as duplicates, and the reports' projection ends where a
/// rebuild ends.
/// </summary>
public sealed class CrashTests(AppFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    private const int BatchLines = 20_000;
    private static readonly string Acd = Tokens.For("service-centre", "bochum", "acd");

    [Fact]
    public async Task After_a_kill_9_during_import_and_live_writes_every_acknowledged_write_is_there_and_every_line_whole_or_absent()
    {
        var schema = "crash_" + Guid.NewGuid().ToString("N")[..10];
        var port = AppProcess.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) }; // a slow CI machine imports slowly
        var contract = UniqueId("contract");
        try
        {
            using (var service = await StartAsync(schema, port, http))
            {
                await Send(http, "/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), HttpStatusCode.Created);

                // Live writers and the import run together until the kill.
                using var stop = new CancellationTokenSource();
                var acknowledged = new ConcurrentBag<(string CallId, string Step)>();
                var writers = Enumerable.Range(0, 16).Select(w => WriteLiveAsync(http, contract, w, acknowledged, stop.Token)).ToList();
                var import = ImportAsync(http, contract);
                await WaitForBulkEventsAsync(schema, atLeast: 3_000);
                service.Kill(entireProcessTree: true);
                await stop.CancelAsync();
                await Task.WhenAll(writers);
                var imported = await import;
                Assert.Null(imported); // the import never got its answer
                output.WriteLine($"Killed with {acknowledged.Count} live writes acknowledged.");

                using var restarted = await StartAsync(schema, port, http);
                foreach (var (callId, step) in acknowledged)
                {
                    var call = JsonNode.Parse(await (await Get(http, $"/api/calls/{callId}")).Content.ReadAsStringAsync())!;
                    if (step == "answered")
                    {
                        Assert.Equal("answered", (string)call["status"]!);
                    }
                }

                var lines = await BulkLinesAsync(schema);
                Assert.All(lines.Values, events => Assert.Contains(events, new[] { 3, 4 }));
                output.WriteLine($"{lines.Count} of {BatchLines} batch lines stored before the kill, each whole.");

                var again = await ImportAsync(http, contract);
                Assert.NotNull(again);
                Assert.Equal(lines.Count, (long)again["duplicates"]!);
                Assert.Equal(BatchLines - lines.Count, (long)again["accepted"]!);
                Assert.Equal(0, (long)again["rejectedCount"]!);

                await WaitForReportsAsync(http);
                var live = await ReportTables.SnapshotAsync(Fixture.ConnectionString, schema);
                Assert.NotEmpty(live.Rows);
                restarted.Kill(entireProcessTree: true);
                await restarted.WaitForExitAsync();

                await AppProcess.RunAsync(Environment(schema, port), null, "rebuild-reports");
                var rebuilt = await ReportTables.SnapshotAsync(Fixture.ConnectionString, schema);
                Assert.NotEqual(live.Generation, rebuilt.Generation);
                Assert.Equal(live.Rows, rebuilt.Rows);
            }
        }
        finally
        {
            await Fixture.DropSchemaAsync(schema);
        }
    }

    private Task<Process> StartAsync(string schema, int port, HttpClient http) => AppProcess.StartServiceAsync(Environment(schema, port), http);

    private Dictionary<string, string> Environment(string schema, int port)
    {
        // The test run's token settings are in this process's environment (Tokens.ConfigureHost).
        var environment = System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => ((string)e.Key).StartsWith("Authentication__", StringComparison.Ordinal))
            .ToDictionary(e => (string)e.Key, e => (string)e.Value!);
        environment["ConnectionStrings__Cooperation"] = Fixture.ConnectionString;
        environment["Cooperation__Schema"] = schema;
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        return environment;
    }

    private static async Task WriteLiveAsync(HttpClient http, string contract, int writer, ConcurrentBag<(string, string)> acknowledged, CancellationToken ct)
    {
        for (var n = 0; !ct.IsCancellationRequested; n++)
        {
            var callId = $"live-{writer:00}-{n:00000}";
            try
            {
                var offered = await Post(http, "/api/calls", new JsonObject
                {
                    ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = "buergerbuero",
                    ["offeredAt"] = $"2021-02-{1 + writer:00}T09:00:00+01:00",
                }, ct);
                if (offered.StatusCode != HttpStatusCode.Created)
                {
                    continue;
                }

                acknowledged.Add((callId, "offered"));
                var answered = await Post(http, $"/api/calls/{callId}/answered",
                    new JsonObject { ["answeredAt"] = $"2021-02-{1 + writer:00}T09:00:20+01:00", ["agentId"] = "agent-7" }, ct);
                if (answered.StatusCode == HttpStatusCode.OK)
                {
                    acknowledged.Add((callId, "answered"));
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return; // the service is gone: what was not answered was not acknowledged
            }
        }
    }

    /// <summary>Sends the whole file; null when the service died before answering.</summary>
    private static async Task<JsonNode?> ImportAsync(HttpClient http, string contract)
    {
        var file = new StringBuilder();
        for (var i = 0; i < BatchLines; i++)
        {
            var day = new DateOnly(2021, 1, 4).AddDays(i / 400 / 5 * 7 + i / 400 % 5);
            var offered = new DateTimeOffset(day.ToDateTime(new TimeOnly(8, 0)), TimeSpan.FromHours(1)).AddSeconds(i % 400 * 90);
            var referred = i % 7 == 0;
            file.Append(new JsonObject
            {
                ["callId"] = $"bulk-{i:00000}", ["contractId"] = contract, ["serviceLine"] = "buergerbuero",
                ["offeredAt"] = offered.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
                ["answeredAt"] = offered.AddSeconds(20).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
                ["agentId"] = "agent-7",
                ["completedAt"] = offered.AddMinutes(4).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
                ["outcome"] = referred ? "referred" : "resolved",
                ["department"] = referred ? "ordnungsamt" : null,
            }.ToJsonString()).Append('\n');
        }

        var content = new StringContent(file.ToString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calls/batch") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Acd);
        try
        {
            var response = await http.SendAsync(request);
            return response.StatusCode == HttpStatusCode.OK ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The number of events of each bulk line's streams: its call (3) plus its referral (1) where it opens one.</summary>
    private async Task<Dictionary<string, int>> BulkLinesAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            select substring(stream_id from '(bulk-[0-9]+)$'), count(*)::int from {schema}.mt_events
            where stream_id like 'call:bulk-%' or stream_id like 'referral:ref-bulk-%' group by 1
            """, connection);
        var lines = new Dictionary<string, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines[reader.GetString(0)] = reader.GetInt32(1);
        }

        // A referring line (every seventh) has four events, the others three.
        foreach (var (line, events) in lines)
        {
            Assert.Equal(int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture) % 7 == 0 ? 4 : 3, events);
        }

        return lines;
    }

    private async Task WaitForBulkEventsAsync(string schema, int atLeast)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(2))
        {
            await using var command = new NpgsqlCommand(
                $"select count(*) from {schema}.mt_events where stream_id like 'call:bulk-%'", connection);
            try
            {
                if ((long)(await command.ExecuteScalarAsync())! >= atLeast)
                {
                    return;
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // the service has not made its tables yet
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The import stored nothing within two minutes.");
    }

    private static async Task WaitForReportsAsync(HttpClient http)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(5))
        {
            var health = JsonNode.Parse(await (await http.GetAsync("/health")).Content.ReadAsStringAsync())!;
            if ((long)health["checks"]!["reports"]!["data"]!["eventsBehind"]! == 0)
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The reports did not catch up within five minutes.");
    }

    private static async Task<HttpResponseMessage> Post(HttpClient http, string url, JsonNode body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Acd);
        return await http.SendAsync(request, ct);
    }

    private static async Task Send(HttpClient http, string url, JsonNode body, string token, HttpStatusCode status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == status, $"{url}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<HttpResponseMessage> Get(HttpClient http, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Auditor);
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
