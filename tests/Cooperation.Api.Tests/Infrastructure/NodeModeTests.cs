using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// <c>Cooperation:Nodes</c> (issue 15): the service as its own process in the mode for several nodes, where Wolverine
/// assigns the reports' projection to a node, and a mode it does not know refused at start.
/// </summary>
public sealed class NodeModeTests(AppFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    [Fact]
    public async Task In_balanced_mode_a_node_takes_the_reports_projection_and_the_reports_follow_the_writes()
    {
        var schema = "nodes_" + Guid.NewGuid().ToString("N")[..10];
        var port = AppProcess.FreePort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        try
        {
            var environment = Environment(schema, port);
            environment["Cooperation__Nodes"] = "Balanced";
            environment["Cooperation__NodeHealthCheck"] = "00:00:01";
            environment["Cooperation__NodeStaleAfter"] = "00:00:05";
            var started = Stopwatch.StartNew();
            using var service = await AppProcess.StartServiceAsync(environment, http);
            try
            {
                var contract = UniqueId("contract");
                var acd = Tokens.For("service-centre", "bochum", "acd");
                await SendAsync(http, HttpMethod.Post, "/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), HttpStatusCode.Created);
                await SendAsync(http, HttpMethod.Post, "/api/calls", new JsonObject
                {
                    ["callId"] = UniqueId("c"), ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-01T09:00:00+01:00",
                }, acd, HttpStatusCode.Created);

                // The projection runs once Wolverine's leader has assigned it: the report counts the call.
                var finance = Tokens.For("finance", "castrop-rauxel");
                while (true)
                {
                    var report = await SendAsync(http, HttpMethod.Get, $"/api/reports/quarterly/{contract}/2021/1", null, finance, null);
                    if (report?["total"]?["inQueue"] is { } waiting && (int)waiting == 1) // offered, not yet answered
                    {
                        break;
                    }

                    Assert.True(started.Elapsed < TimeSpan.FromMinutes(2), $"The reports did not follow within 2 minutes: {report?.ToJsonString()}");
                    await Task.Delay(250);
                }

                output.WriteLine($"Balanced: the report counted the call {started.Elapsed.TotalSeconds:N1} s after the start.");

                // Wolverine's leader assigned the reports' projection to this node, as an agent (Solo has no assignments).
                await using var connection = new Npgsql.NpgsqlConnection(Fixture.ConnectionString);
                await connection.OpenAsync();
                await using var assigned = new Npgsql.NpgsqlCommand(
                    $"select count(*) from {schema}.wolverine_node_assignments where id like 'event-subscriptions://%/reportfigures/all'", connection);
                Assert.Equal(1L, (long)(await assigned.ExecuteScalarAsync())!);
            }
            finally
            {
                service.Kill(entireProcessTree: true);
                await service.WaitForExitAsync();
            }
        }
        finally
        {
            await Fixture.DropSchemaAsync(schema);
        }
    }

    [Fact]
    public async Task A_mode_it_does_not_know_is_refused_at_start_naming_the_setting()
    {
        var environment = Environment("nodes_refused", AppProcess.FreePort());
        environment["Cooperation__Nodes"] = "Cluster";

        var output = await AppProcess.RefusedStartAsync(environment, TimeSpan.FromMinutes(1));

        Assert.Contains("Cooperation:Nodes must be Solo, Balanced or HotCold", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_would_be_stale_after_fewer_than_three_heartbeats_is_refused_at_start()
    {
        var environment = Environment("nodes_refused", AppProcess.FreePort());
        environment["Cooperation__Nodes"] = "balanced";
        environment["Cooperation__NodeHealthCheck"] = "00:00:05";
        environment["Cooperation__NodeStaleAfter"] = "00:00:10";

        var output = await AppProcess.RefusedStartAsync(environment, TimeSpan.FromMinutes(1));

        Assert.Contains("Cooperation:NodeStaleAfter (00:00:10) must be at least three times Cooperation:NodeHealthCheck (00:00:05)", output, StringComparison.Ordinal);
    }

    private Dictionary<string, string> Environment(string schema, int port)
    {
        var environment = new Dictionary<string, string>(Tokens.HostSettings)
        {
            ["ConnectionStrings__Cooperation"] = Fixture.ConnectionString,
            ["Cooperation__Schema"] = schema,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        };
        return environment;
    }

    private static async Task<JsonNode?> SendAsync(HttpClient http, HttpMethod method, string url, JsonNode? body, string token, HttpStatusCode? status)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (status is not null)
        {
            Assert.True(response.StatusCode == status, $"{method} {url}: {(int)response.StatusCode}: {text}");
        }

        return response.IsSuccessStatusCode && text.Length > 0 ? JsonNode.Parse(text) : null;
    }
}
