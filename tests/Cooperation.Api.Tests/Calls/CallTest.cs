using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Calls;

/// <summary>Tests about calls and what they open: the telephony system's token and calls in each state.</summary>
public abstract class CallTest(AppFixture fixture) : ApiTest(fixture)
{
    protected static readonly string Acd = Tokens.For("service-centre", "bochum", "acd");

    /// <summary>A department of the client city, Castrop-Rauxel.</summary>
    protected static readonly string Department = Tokens.For("department", "castrop-rauxel", "ordnungsamt-clerk");

    protected async Task<(string Contract, string CallId)> GivenOfferedCall(string offeredAt = "2021-03-01T09:15:00+01:00", string? contract = null)
    {
        contract ??= await GivenContract();
        var callId = UniqueId("c");
        await Post("/api/calls", new JsonObject
        {
            ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = offeredAt,
        }, Acd, 201);
        return (contract, callId);
    }

    /// <summary>Offered 09:15:00, answered 09:15:20 by agent-7 (Berlin time, 1 March 2021).</summary>
    protected async Task<string> GivenAnsweredCall(string? contract = null)
    {
        var (_, callId) = await GivenOfferedCall(contract: contract);
        await Post($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:20+01:00"), Acd);
        return callId;
    }

    protected async Task<string> GivenCompletedCall(JsonObject completion, string? contract = null)
    {
        var callId = await GivenAnsweredCall(contract);
        await Post($"/api/calls/{callId}/completed", completion, Acd);
        return callId;
    }

    /// <summary>The data of every event of a stream, in order: what the history keeps.</summary>
    protected async Task<IReadOnlyList<object>> EventsOf(string streamKey)
    {
        await using var session = Fixture.Store.QuerySession();
        return (await session.Events.FetchStreamAsync(streamKey)).Select(e => e.Data).ToList();
    }

    /// <summary>An instant of an answer, to compare with another whatever offset each was written in.</summary>
    protected static DateTimeOffset Instant(JsonNode? node) => DateTimeOffset.Parse((string)node!, System.Globalization.CultureInfo.InvariantCulture);

    protected static JsonObject Answered(string at, string agent = "agent-7") => new() { ["answeredAt"] = at, ["agentId"] = agent };

    protected static JsonObject Abandoned(string at) => new() { ["abandonedAt"] = at };

    protected static JsonObject Completed(string outcome, string at = "2021-03-01T09:19:00+01:00", string? department = null) => new()
    {
        ["completedAt"] = at, ["outcome"] = outcome, ["topic"] = "Personalausweis", ["department"] = department,
    };
}
