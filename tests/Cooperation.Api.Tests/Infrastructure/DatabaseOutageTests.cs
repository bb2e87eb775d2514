using System.Text.Json.Nodes;
using Alba;
using Cooperation.Api.Tests.Fixtures;
using Npgsql;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// A host of its own (<see cref="OwnHost"/>) whose database connection runs through a <see cref="TcpProxy"/>, in a schema of its own:
/// cutting the proxy is the database going away for this host only.
/// </summary>
public sealed class DatabaseOutageTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Acd = Tokens.For("service-centre", "bochum", "acd");

    [Fact]
    public async Task Without_its_database_the_service_answers_503_with_Retry_After_and_recovers_by_itself()
    {
        var target = new NpgsqlConnectionStringBuilder(Fixture.ConnectionString);
        await using var proxy = new TcpProxy(target.Host!, target.Port);
        proxy.Start();
        var throughProxy = new NpgsqlConnectionStringBuilder(Fixture.ConnectionString)
        {
            Host = "127.0.0.1", Port = proxy.Port, Timeout = 3, CommandTimeout = 10,
        }.ConnectionString;

        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?> { ["ConnectionStrings__Cooperation"] = throughProxy });
        var host = own.Host;
        var contract = UniqueId("contract");
        await Expect(host, "/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), 201);
        var call = new JsonObject
        {
            ["callId"] = UniqueId("c"), ["contractId"] = contract, ["serviceLine"] = "buergerbuero",
            ["offeredAt"] = "2021-03-01T09:15:00+01:00",
        };

        proxy.Stop();
        var refused = await Expect(host, "/api/calls", call, Acd, 503);
        Assert.Equal("application/problem+json", refused.Context.Response.ContentType);
        Assert.Equal("2", refused.Context.Response.Headers.RetryAfter.ToString());
        Assert.Contains("Nothing was stored", await refused.ReadAsTextAsync(), StringComparison.Ordinal);
        // The exception handler clears the headers before it writes: these are written as the answer starts.
        Assert.Equal("nosniff", refused.Context.Response.Headers.XContentTypeOptions.ToString());
        Assert.Equal("no-store", refused.Context.Response.Headers.CacheControl.ToString());
        Assert.NotEmpty(refused.Context.Response.Headers["RateLimit-Remaining"].ToString());
        var read = await host.Scenario(s =>
        {
            s.Get.Url($"/api/contracts/{contract}");
            s.WithBearerToken(Tokens.Auditor);
            s.StatusCodeShouldBe(503);
        });
        Assert.Equal("application/problem+json", read.Context.Response.ContentType);
        var health = await host.Scenario(s =>
        {
            s.Get.Url("/health");
            s.StatusCodeShouldBe(503);
        });
        Assert.Equal("unhealthy", (string)JsonNode.Parse(await health.ReadAsTextAsync())!["checks"]!["database"]!["status"]!);

        proxy.Start();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        int status;
        do
        {
            status = (await Expect(host, "/api/calls", call, Acd, null)).Context.Response.StatusCode;
        }
        while (status == 503 && waited.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(201, status);
        await Expect(host, "/api/calls", call, Acd, 200); // stored once: the repeat is a repeat
    }

    private static Task<IScenarioResult> Expect(IAlbaHost host, string url, JsonNode body, string token, int? status) =>
        host.Scenario(s =>
        {
            s.Post.Text(body.ToJsonString()).ToUrl(url);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(token);
            if (status is { } expected)
            {
                s.StatusCodeShouldBe(expected);
            }
            else
            {
                s.IgnoreStatusCode();
            }
        });
}
