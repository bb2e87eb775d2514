using System.Text.Json.Nodes;
using Cooperation.Api.Referrals;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Referrals;

/// <summary>A referral's steps: POST /api/referrals/{referralId}/accepted, …/answered, …/returned (ADR 0010).</summary>
public sealed class ReferralTests(AppFixture fixture) : ReferralTest(fixture)
{
    [Theory]
    [InlineData("referred")]
    [InlineData("callback-promised")]
    public async Task A_referring_completion_opens_an_open_referral(string outcome)
    {
        var contract = await GivenContract();
        var callId = await GivenAnsweredCall(contract);
        var before = await Fixture.EventCountAsync();

        await Post($"/api/calls/{callId}/completed", Completed(outcome, department: "standesamt"), Acd);

        Assert.Equal(before + 2, await Fixture.EventCountAsync());
        var referral = await Get($"/api/referrals/ref-{callId}", Department);
        Assert.Equal($"ref-{callId}", (string)referral["referralId"]!);
        Assert.Equal("open", (string)referral["status"]!);
        Assert.Equal(1, (int)referral["version"]!);
        Assert.Equal("standesamt", (string)referral["department"]!);
        Assert.Equal(outcome, (string)referral["outcome"]!);
        Assert.Equal(contract, (string)referral["contractId"]!);
        Assert.Equal("buergerbuero", (string)referral["serviceLine"]!);
        Assert.Equal(DateTimeOffset.Parse(OpenedAt), Instant(referral["openedAt"]));
        Assert.Null(referral["acceptedAt"]);
        Assert.Null(referral["answeredAt"]);
    }

    [Fact]
    public async Task A_referral_is_seen_by_both_parties_and_the_auditor_and_by_no_other_city()
    {
        var referralId = await GivenReferral();

        Assert.Equal(referralId, (string)(await Get($"/api/referrals/{referralId}", Acd))["referralId"]!);
        Assert.Equal(referralId, (string)(await Get($"/api/referrals/{referralId}", Tokens.Auditor))["referralId"]!);
        await Get($"/api/referrals/{referralId}", Tokens.For("department", "dortmund"), 404);
        await Get("/api/referrals/no-such-referral", Department, 404);
        await Get("/api/referrals/bad%20id", Department, 404);
    }

    [Fact]
    public async Task A_department_accepts_then_answers()
    {
        var referralId = await GivenReferral();
        var before = await Fixture.EventCountAsync();

        var accepted = await Post(Step(referralId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);

        Assert.Equal("accepted", (string)accepted["status"]!);
        Assert.Equal(2, (int)accepted["version"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T09:00:00Z"), Instant(accepted["acceptedAt"]));
        Assert.Equal(before + 1, await Fixture.EventCountAsync());

        var answered = await Post(Step(referralId, "answered"), AnsweredReferral("2021-03-02T11:30:00+01:00"), Department);

        Assert.Equal("answered", (string)answered["status"]!);
        Assert.Equal(3, (int)answered["version"]!);
        Assert.Equal(before + 2, await Fixture.EventCountAsync());
        var referral = await Get($"/api/referrals/{referralId}", Department);
        Assert.Equal("answered", (string)referral["status"]!);
        Assert.Equal(3, (int)referral["version"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T09:00:00Z"), Instant(referral["acceptedAt"]));
        Assert.Equal(DateTimeOffset.Parse("2021-03-02T10:30:00Z"), Instant(referral["answeredAt"]));

        var events = await EventsOf($"referral:{referralId}");
        Assert.IsType<ReferralOpened>(events[0]);
        Assert.IsType<ReferralAccepted>(events[1]);
        Assert.IsType<ReferralAnswered>(events[2]);
    }

    [Fact]
    public async Task A_referral_is_answered_without_being_accepted_first()
    {
        var referralId = await GivenReferral();

        var answered = await Post(Step(referralId, "answered"), AnsweredReferral("2021-03-01T09:45:00+01:00"), Department);

        Assert.Equal("answered", (string)answered["status"]!);
        Assert.Null(answered["acceptedAt"]);
    }

    [Fact]
    public async Task A_department_returns_a_referral_with_a_reason()
    {
        var referralId = await GivenReferral();
        await Post(Step(referralId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);

        var returned = await Post(Step(referralId, "returned"), Returned("2021-03-01T10:30:00+01:00", "Nicht unsere Zuständigkeit"), Department);

        Assert.Equal("returned", (string)returned["status"]!);
        Assert.Equal("Nicht unsere Zuständigkeit", (string)returned["returnReason"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T09:30:00Z"), Instant(returned["returnedAt"]));
        Assert.Equal("returned", (string)(await Get($"/api/referrals/{referralId}", Acd))["status"]!);
    }

    [Theory]
    [InlineData("accepted", "{}", "acceptedAt", "must not be empty")]
    [InlineData("accepted", "{\"acceptedAt\":\"2021-03-01T10:00:00\"}", "acceptedAt", null)]
    [InlineData("accepted", "{\"acceptedAt\":42}", "acceptedAt", null)]
    [InlineData("accepted", "{\"acceptedAt\":\"2021-03-01T10:00:00+01:00\"", "$", null)]
    [InlineData("answered", "{}", "answeredAt", "must not be empty")]
    [InlineData("answered", "[]", "$", null)]
    [InlineData("returned", "{\"returnedAt\":\"2021-03-01T10:00:00+01:00\"}", "reason", "must not be empty")]
    [InlineData("returned", "{\"returnedAt\":\"2021-03-01T10:00:00+01:00\",\"reason\":\" \"}", "reason", "must not be empty")]
    [InlineData("returned", "{\"reason\":\"falsch\"}", "returnedAt", "must not be empty")]
    public async Task Bad_steps_are_400_naming_the_field(string step, string body, string field, string? rule)
    {
        var referralId = await GivenReferral();

        await Refused(Step(referralId, step), body, Department, 400, field, rule);
    }

    [Fact]
    public async Task A_return_reason_is_short()
    {
        var referralId = await GivenReferral();

        await Refused(Step(referralId, "returned"), Returned("2021-03-01T10:00:00+01:00", new string('x', 501)), Department, 400, "reason", "500");
    }

    [Fact]
    public async Task Each_step_repeated_identically_is_200_and_stores_nothing()
    {
        var referralId = await GivenReferral();
        await Post(Step(referralId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);
        var before = await Fixture.EventCountAsync();

        var again = await Post(Step(referralId, "accepted"), Accepted("2021-03-01T09:00:00Z"), Department); // the same instant

        Assert.Equal(2, (int)again["version"]!);
        Assert.Equal(before, await Fixture.EventCountAsync());

        await Post(Step(referralId, "answered"), AnsweredReferral("2021-03-01T11:00:00+01:00"), Department);
        before = await Fixture.EventCountAsync();
        await Post(Step(referralId, "answered"), AnsweredReferral("2021-03-01T11:00:00+01:00"), Department);
        // A late retry of the acceptance, after the answer, is still a retry.
        await Post(Step(referralId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);
        Assert.Equal(before, await Fixture.EventCountAsync());

        var returnedId = await GivenReferral();
        await Post(Step(returnedId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);
        await Post(Step(returnedId, "returned"), Returned("2021-03-01T10:30:00+01:00"), Department);
        before = await Fixture.EventCountAsync();
        await Post(Step(returnedId, "returned"), Returned("2021-03-01T10:30:00+01:00"), Department);
        // A late retry of the acceptance, after the return, is a retry too.
        var late = await Post(Step(returnedId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);
        Assert.Equal("returned", (string)late["status"]!);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task A_step_repeated_differently_is_409_naming_the_difference()
    {
        var referralId = await GivenReferral();
        await Post(Step(referralId, "accepted"), Accepted("2021-03-01T10:00:00+01:00"), Department);
        await Refused(Step(referralId, "accepted"), Accepted("2021-03-01T10:01:00+01:00"), Department, 409, "acceptedAt", "was recorded as accepted");

        await Post(Step(referralId, "answered"), AnsweredReferral("2021-03-01T11:00:00+01:00"), Department);
        await Refused(Step(referralId, "answered"), AnsweredReferral("2021-03-01T11:01:00+01:00"), Department, 409, "answeredAt", "was recorded as answered");

        var returnedId = await GivenReferral();
        await Post(Step(returnedId, "returned"), Returned("2021-03-01T10:00:00+01:00"), Department);
        await Refused(Step(returnedId, "returned"), Returned("2021-03-01T10:00:00+01:00", "ein anderer Grund"), Department, 409, "reason", "another reason");
        await Refused(Step(returnedId, "returned"), Returned("2021-03-01T10:05:00+01:00"), Department, 409, "returnedAt", "was recorded as returned");
    }

    [Theory]
    [InlineData("answered")]
    [InlineData("returned")]
    public async Task A_closed_referral_takes_no_more_steps(string closing)
    {
        var referralId = await GivenReferral();
        await Post(Step(referralId, closing), StepBody(closing, "2021-03-01T10:00:00+01:00"), Department);

        foreach (var step in Steps.Where(step => step != closing))
        {
            await Refused(Step(referralId, step), StepBody(step, "2021-03-01T10:30:00+01:00"), Department, 409, TimeOf(step), "closed referral");
        }
    }

    [Fact]
    public async Task Steps_never_go_backwards_nor_into_the_future()
    {
        var referralId = await GivenReferral();

        await Refused(Step(referralId, "accepted"), Accepted("2021-03-01T09:18:59+01:00"), Department, 409, "acceptedAt", "may not precede 'openedAt'");
        await Refused(Step(referralId, "answered"), AnsweredReferral("2021-03-01T09:18:59+01:00"), Department, 409, "answeredAt", "may not precede 'openedAt'");
        await Refused(Step(referralId, "returned"), Returned("2021-03-01T09:18:59+01:00"), Department, 409, "returnedAt", "may not precede 'openedAt'");
        await Refused(Step(referralId, "accepted"), Accepted(DateTimeOffset.UtcNow.AddMinutes(10).ToString("O")), Department, 400, "acceptedAt", "future");

        await Post(Step(referralId, "accepted"), Accepted(OpenedAt), Department); // at the very instant it opened
        await Refused(Step(referralId, "answered"), AnsweredReferral("2021-03-01T09:18:59+01:00"), Department, 409, "answeredAt", "may not precede 'acceptedAt'");
        await Refused(Step(referralId, "answered"), AnsweredReferral(DateTimeOffset.UtcNow.AddMinutes(10).ToString("O")), Department, 400, "answeredAt", "future");
        await Refused(Step(referralId, "returned"), Returned(DateTimeOffset.UtcNow.AddMinutes(10).ToString("O")), Department, 400, "returnedAt", "future");
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("answered")]
    [InlineData("returned")]
    public async Task Only_departments_of_the_client_city_work_a_referral(string step)
    {
        var referralId = await GivenReferral();
        var body = StepBody(step, "2021-03-01T10:00:00+01:00");

        await Refused(Step(referralId, step), body, Acd, 403);
        await Refused(Step(referralId, step), body, Tokens.For("department", "bochum"), 403);
        await Refused(Step(referralId, step), body, Tokens.For("department"), 403);
        await Refused(Step(referralId, step), body, Tokens.For("finance", "castrop-rauxel"), 403);
        await Refused(Step(referralId, step), body, Tokens.Auditor, 403);
        await Refused(Step(referralId, step), body, Tokens.For("department", "dortmund"), 404);
        await Refused(Step("no-such-referral", step), body, Department, 404);
        await Refused(Step(referralId, step), body, Tokens.Forged, 401);

        Assert.Equal("open", (string)(await Get($"/api/referrals/{referralId}", Department))["status"]!);
    }

    [Fact]
    public async Task Identical_acceptances_racing_store_one_event()
    {
        var referralId = await GivenReferral();

        var results = await Racing(Step(referralId, "accepted"), Accepted("2021-03-01T10:00:00+01:00").ToJsonString(), Department);

        Assert.All(results, r => Assert.Equal(200, r.Context.Response.StatusCode));
        var events = await EventsOf($"referral:{referralId}");
        Assert.Equal(2, events.Count);
        Assert.IsType<ReferralAccepted>(events[1]);
    }
}
