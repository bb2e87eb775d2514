using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Calls;

public sealed class AnswerCallTests(AppFixture fixture) : CallTest(fixture)
{
    [Fact]
    public async Task AnswerCall_records_the_answer()
    {
        var (_, callId) = await GivenOfferedCall();

        var call = await Post($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:20+01:00"), Acd);

        Assert.Equal("answered", (string)call["status"]!);
        Assert.Equal(2, (int)call["version"]!);
        Assert.Equal("agent-7", (string)call["agentId"]!);
    }

    [Fact]
    public async Task AnswerCall_repeated_is_200_and_differently_is_409()
    {
        var (_, callId) = await GivenOfferedCall();
        await Post($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:20+01:00"), Acd);
        var before = await Fixture.EventCountAsync();

        await Post($"/api/calls/{callId}/answered", Answered("2021-03-01T08:15:20Z"), Acd); // the same instant
        Assert.Equal(before, await Fixture.EventCountAsync());

        await Refused($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:21+01:00"), Acd, 409, "answeredAt", "was recorded as answered");
        await Refused($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:20+01:00", "agent-8"), Acd, 409, "agentId");
    }

    [Fact]
    public async Task A_call_is_answered_or_abandoned_never_both()
    {
        var (_, answeredCall) = await GivenOfferedCall();
        await Post($"/api/calls/{answeredCall}/answered", Answered("2021-03-01T09:15:20+01:00"), Acd);
        await Refused($"/api/calls/{answeredCall}/abandoned", Abandoned("2021-03-01T09:16:00+01:00"), Acd, 409, "abandonedAt", "never both");

        var (_, abandonedCall) = await GivenOfferedCall();
        await Post($"/api/calls/{abandonedCall}/abandoned", Abandoned("2021-03-01T09:16:00+01:00"), Acd);
        await Refused($"/api/calls/{abandonedCall}/answered", Answered("2021-03-01T09:16:30+01:00"), Acd, 409, "answeredAt", "never both");
    }

    [Fact]
    public async Task Times_never_go_backwards()
    {
        var (_, callId) = await GivenOfferedCall();

        await Refused($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:00+01:00".Replace("09:15", "09:14", StringComparison.Ordinal)), Acd, 409, "answeredAt", "may not precede");
        await Refused($"/api/calls/{callId}/abandoned", Abandoned("2021-03-01T09:14:59+01:00"), Acd, 409, "abandonedAt", "may not precede");
    }

    [Fact]
    public async Task Answering_an_unknown_call_is_404()
    {
        await Refused("/api/calls/no-such-call/answered", Answered("2021-03-01T09:15:20+01:00"), Acd, 404);
    }

    [Fact]
    public async Task Two_identical_answers_racing_store_one_event()
    {
        var (_, callId) = await GivenOfferedCall();
        var body = Answered("2021-03-01T09:15:20+01:00").ToJsonString();

        var results = await Racing($"/api/calls/{callId}/answered", body, Acd);

        Assert.All(results, r => Assert.Equal(200, r.Context.Response.StatusCode));
        await using var session = Fixture.Store.QuerySession();
        Assert.Equal(2, (await session.Events.FetchStreamAsync($"call:{callId}")).Count);
    }

    [Fact]
    public async Task A_call_is_hidden_from_other_municipalities()
    {
        var (_, callId) = await GivenOfferedCall();

        await Get($"/api/calls/{callId}", Tokens.For("department", "castrop-rauxel"));
        await Get($"/api/calls/{callId}", Tokens.For("department", "dortmund"), 404);
        await Refused($"/api/calls/{callId}/answered", Answered("2021-03-01T09:15:20+01:00"), Tokens.For("service-centre", "dortmund"), 404);
    }
}
