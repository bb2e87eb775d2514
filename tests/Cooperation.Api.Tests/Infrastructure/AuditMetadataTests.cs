using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Infrastructure;

public sealed class AuditMetadataTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Every_event_a_request_appends_records_who_acted_and_the_correlation_id()
    {
        var id = UniqueId("audit");
        var correlation = UniqueId("corr");
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(ContractRequests.Sign(id).ToJsonString()).ToUrl("/api/contracts");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("X-Correlation-ID", correlation);
            s.WithBearerToken(Tokens.For(["contract-admin"], subject: "clerk-4711"));
            s.StatusCodeShouldBe(201);
        });
        Assert.Equal(correlation, result.Context.Response.Headers["X-Correlation-ID"].ToString());
        await Post($"/api/contracts/{id}/fee-amendments", JsonNode.Parse("""{"annualFee":1,"effectiveFrom":"2022-01-01"}""")!,
            Tokens.For(["contract-admin"], subject: "clerk-0815"));

        await using var session = Fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync($"contract:{id}");

        Assert.Equal(["clerk-4711", "clerk-0815"], events.Select(e => e.UserName));
        Assert.Equal(correlation, events[0].CorrelationId);
        Assert.False(string.IsNullOrEmpty(events[1].CorrelationId));
        Assert.NotEqual(correlation, events[1].CorrelationId);
    }
}
