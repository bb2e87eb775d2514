using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Calls;

public sealed class CompleteCallTests(AppFixture fixture) : CallTest(fixture)
{
    [Fact]
    public async Task CompleteCall_records_the_outcome()
    {
        var callId = await GivenAnsweredCall();

        var call = await Post($"/api/calls/{callId}/completed", Completed("appointment-booked"), Acd);

        Assert.Equal("completed", (string)call["status"]!);
        Assert.Equal("appointment-booked", (string)call["outcome"]!);
        Assert.Equal("Personalausweis", (string)call["topic"]!);
        Assert.Equal(3, (int)call["version"]!);
        Assert.Null(call["referralId"]);
        Assert.Equal("completed", (string)(await Get($"/api/calls/{callId}", Acd))["status"]!);
    }

    [Fact]
    public async Task A_referred_call_opens_its_referral_in_the_same_transaction()
    {
        var callId = await GivenAnsweredCall();
        var before = await Fixture.EventCountAsync();

        var call = await Post($"/api/calls/{callId}/completed", Completed("referred", department: "ordnungsamt"), Acd);

        var referralId = (string)call["referralId"]!;
        Assert.Equal($"ref-{callId}", referralId);
        Assert.Equal(before + 2, await Fixture.EventCountAsync());
        var referral = await Get($"/api/referrals/{referralId}", Department);
        Assert.Equal("open", (string)referral["status"]!);
        Assert.Equal("ordnungsamt", (string)referral["department"]!);
        Assert.Equal(callId, (string)referral["callId"]!);
        Assert.Equal("referred", (string)referral["outcome"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:19:00Z"), DateTimeOffset.Parse((string)referral["openedAt"]!));
    }

    [Fact]
    public async Task A_promised_callback_opens_a_referral_under_the_given_id()
    {
        var callId = await GivenAnsweredCall();
        var referralId = UniqueId("r");
        var completion = Completed("callback-promised", department: "buergerbuero-backoffice");
        completion["referralId"] = referralId;

        await Post($"/api/calls/{callId}/completed", completion, Acd);

        Assert.Equal("callback-promised", (string)(await Get($"/api/referrals/{referralId}", Department))["outcome"]!);

        // A second call may not open the same referral.
        var other = await GivenAnsweredCall();
        await Refused($"/api/calls/{other}/completed", completion, Acd, 409, "referralId", "exists already");
    }

    [Fact]
    public async Task Completing_again_identically_is_200_and_differently_is_409_naming_the_difference()
    {
        var callId = await GivenCompletedCall(Completed("referred", department: "ordnungsamt"));
        var before = await Fixture.EventCountAsync();

        await Post($"/api/calls/{callId}/completed", Completed("referred", department: "ordnungsamt"), Acd);
        Assert.Equal(before, await Fixture.EventCountAsync());

        await Refused($"/api/calls/{callId}/completed", Completed("resolved"), Acd, 409, "outcome", "'referred'");
        await Refused($"/api/calls/{callId}/completed", Completed("referred", "2021-03-01T09:20:00+01:00", "ordnungsamt"), Acd, 409, "completedAt");
        await Refused($"/api/calls/{callId}/completed", Completed("referred", department: "standesamt"), Acd, 409, "department");
    }

    [Fact]
    public async Task Completed_only_after_answered()
    {
        var (_, offered) = await GivenOfferedCall();
        await Refused($"/api/calls/{offered}/completed", Completed("resolved"), Acd, 409, "completedAt", "only after it was answered");

        await Post($"/api/calls/{offered}/abandoned", Abandoned("2021-03-01T09:16:00+01:00"), Acd);
        await Refused($"/api/calls/{offered}/completed", Completed("resolved"), Acd, 409, "completedAt", "abandoned");

        await Refused("/api/calls/no-such-call/completed", Completed("resolved"), Acd, 404);
    }

    [Fact]
    public async Task Completion_times_never_go_backwards_nor_into_the_future()
    {
        var callId = await GivenAnsweredCall();

        await Refused($"/api/calls/{callId}/completed", Completed("resolved", "2021-03-01T09:15:19+01:00"), Acd, 409, "completedAt", "may not precede 'answeredAt'");
        await Refused($"/api/calls/{callId}/completed", Completed("resolved", DateTimeOffset.UtcNow.AddMinutes(10).ToString("O")), Acd, 400, "completedAt", "future");
    }

    [Theory]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\"}", "outcome", "must not be empty")]
    [InlineData("{\"outcome\":\"resolved\"}", "completedAt", "must not be empty")]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"solved\"}", "outcome", null)]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00\",\"outcome\":\"resolved\"}", "completedAt", null)]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"referred\"}", "department", "is required")]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"callback-promised\",\"department\":\"Ordnungsamt!\"}", "department", "kebab-case")]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"resolved\",\"department\":\"ordnungsamt\"}", "department", "only given with")]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"resolved\",\"referralId\":\"r-1\"}", "referralId", "only given with")]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"resolved\",\"appointmentId\":\"a-1\"}", "appointmentId", "only given with")]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"referred\",\"department\":\"x\",\"referralId\":\"bad id\"}", "referralId", "letters, digits")]
    [InlineData("{\"completedAt\":42,\"outcome\":\"resolved\"}", "completedAt", null)]
    [InlineData("{\"completedAt\":\"2021-03-01T09:19:00+01:00\",\"outcome\":\"resolved\"", "$", null)]
    public async Task Bad_completions_are_400_naming_the_field(string body, string field, string? rule)
    {
        var callId = await GivenAnsweredCall();

        await Refused($"/api/calls/{callId}/completed", body, Acd, 400, field, rule);
    }

    [Fact]
    public async Task A_topic_is_short()
    {
        var callId = await GivenAnsweredCall();
        var completion = Completed("resolved");
        completion["topic"] = new string('x', 201);

        await Refused($"/api/calls/{callId}/completed", completion, Acd, 400, "topic", "200");
    }

    [Fact]
    public async Task Only_the_service_centre_completes_calls_of_its_contracts()
    {
        var callId = await GivenAnsweredCall();

        await Refused($"/api/calls/{callId}/completed", Completed("resolved"), Department, 403);
        await Refused($"/api/calls/{callId}/completed", Completed("resolved"), Tokens.For("service-centre", "dortmund"), 404);
    }

    [Fact]
    public async Task Two_identical_referring_completions_racing_open_one_referral()
    {
        var callId = await GivenAnsweredCall();
        var body = Completed("referred", department: "ordnungsamt").ToJsonString();

        var results = await Racing($"/api/calls/{callId}/completed", body, Acd);

        Assert.All(results, r => Assert.Equal(200, r.Context.Response.StatusCode));
        await using var session = Fixture.Store.QuerySession();
        Assert.Equal(3, (await session.Events.FetchStreamAsync($"call:{callId}")).Count);
        Assert.Single(await session.Events.FetchStreamAsync($"referral:ref-{callId}"));
    }
}
