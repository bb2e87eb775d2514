using System.Text.Json.Nodes;
using Cooperation.Api.Calls;
using Cooperation.Api.Referrals;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Calls;

/// <summary>POST /api/calls/{callId}/corrections: recorded values corrected after the fact, with a reason (ADR 0010).</summary>
public sealed class CorrectCallTests(AppFixture fixture) : CallTest(fixture)
{
    private const string Reason = "ACD export had the wrong time";

    private static string Corrections(string callId) => $"/api/calls/{callId}/corrections";

    /// <summary>A correction body: the reason and the given fields.</summary>
    private static JsonObject Correction(params (string Field, string Value)[] fields)
    {
        var body = new JsonObject { ["reason"] = Reason };
        foreach (var (field, value) in fields)
        {
            body[field] = value;
        }

        return body;
    }

    [Fact]
    public async Task A_corrected_time_is_its_own_event_and_the_call_shows_it_while_the_history_keeps_the_original()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var before = await Fixture.EventCountAsync();

        var answer = await Post(Corrections(callId), Correction(("completedAt", "2021-03-01T09:18:30+01:00")), Acd, 201);

        Assert.Equal(before + 1, await Fixture.EventCountAsync());
        Assert.Equal(4, (int)answer["version"]!);
        Assert.Equal(1, (int)answer["corrections"]!);
        var call = await Get($"/api/calls/{callId}", Acd);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:18:30Z"), Instant(call["completedAt"]));
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:15:20Z"), Instant(call["answeredAt"]));
        Assert.Equal("resolved", (string)call["outcome"]!);
        Assert.Equal(1, (int)call["corrections"]!);
        Assert.Equal(4, (int)call["version"]!);

        var history = await EventsOf($"call:{callId}");
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:19:00Z"), Assert.IsType<CallCompleted>(history[2]).CompletedAt);
        var corrected = Assert.IsType<CallRecordCorrected>(history[3]);
        Assert.Equal(Reason, corrected.Reason);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:18:30Z"), corrected.CompletedAt);
        Assert.Null(corrected.AnsweredAt);
        Assert.Null(corrected.Outcome);
    }

    [Fact]
    public async Task A_corrected_answer_time_of_a_call_not_yet_completed_is_stored()
    {
        var callId = await GivenAnsweredCall();

        var answer = await Post(Corrections(callId), Correction(("answeredAt", "2021-03-01T09:15:25+01:00")), Acd, 201);

        Assert.Equal("answered", (string)answer["status"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:15:25Z"), Instant((await Get($"/api/calls/{callId}", Acd))["answeredAt"]));
    }

    [Fact]
    public async Task A_corrected_abandon_time_is_stored()
    {
        var (_, callId) = await GivenOfferedCall();
        await Post($"/api/calls/{callId}/abandoned", Abandoned("2021-03-01T09:16:00+01:00"), Acd);

        await Post(Corrections(callId), Correction(("abandonedAt", "2021-03-01T09:15:05+01:00")), Acd, 201);

        var call = await Get($"/api/calls/{callId}", Acd);
        Assert.Equal("abandoned", (string)call["status"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:15:05Z"), Instant(call["abandonedAt"]));
    }

    [Fact]
    public async Task The_same_correction_again_is_200_and_stores_nothing()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var correction = Correction(("completedAt", "2021-03-01T09:18:30+01:00"));
        await Post(Corrections(callId), correction, Acd, 201);
        var before = await Fixture.EventCountAsync();

        var answer = await Post(Corrections(callId), correction, Acd, 200);

        Assert.Equal(before, await Fixture.EventCountAsync());
        Assert.Equal(1, (int)answer["corrections"]!);
        Assert.Equal(4, (int)answer["version"]!);
    }

    [Fact]
    public async Task A_correction_to_the_values_already_recorded_changes_nothing_and_stores_nothing()
    {
        var callId = await GivenCompletedCall(Completed("referred", department: "ordnungsamt"));
        var before = await Fixture.EventCountAsync();

        var answer = await Post(Corrections(callId), Correction(
            ("answeredAt", "2021-03-01T08:15:20Z"), ("completedAt", "2021-03-01T09:19:00+01:00"), ("outcome", "referred"), ("department", "ordnungsamt")), Acd, 200);

        Assert.Equal(before, await Fixture.EventCountAsync());
        Assert.Equal(0, (int)answer["corrections"]!);
        Assert.Equal(3, (int)answer["version"]!);
    }

    [Theory]
    [InlineData("{\"completedAt\":\"2021-03-01T09:18:30+01:00\"}", "reason", "must not be empty")]
    [InlineData("{\"reason\":\"   \",\"completedAt\":\"2021-03-01T09:18:30+01:00\"}", "reason", "must not be empty")]
    [InlineData("{\"reason\":\"typo\"}", "$", "at least one of")]
    [InlineData("{\"reason\":\"typo\",\"outcome\":\"solved\"}", "outcome", null)]
    [InlineData("{\"reason\":\"typo\",\"completedAt\":\"2021-03-01T09:18:30\"}", "completedAt", null)]
    [InlineData("{\"reason\":\"typo\",\"outcome\":\"referred\",\"department\":\"Ordnungsamt!\"}", "department", "kebab-case")]
    [InlineData("{\"reason\":\"typo\",\"completedAt\":\"2021-03-01T09:18:30+01:00\"", "$", null)]
    [InlineData("not json", "$", null)]
    public async Task Bad_corrections_are_400_naming_the_field(string body, string field, string? rule)
    {
        var callId = await GivenCompletedCall(Completed("resolved"));

        await Refused(Corrections(callId), body, Acd, 400, field, rule);
    }

    [Fact]
    public async Task A_reason_is_short()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var correction = Correction(("completedAt", "2021-03-01T09:18:30+01:00"));
        correction["reason"] = new string('x', 501);

        await Refused(Corrections(callId), correction, Acd, 400, "reason", "500");
    }

    [Fact]
    public async Task Corrected_times_never_go_backwards_nor_into_the_future()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));

        await Refused(Corrections(callId), Correction(("answeredAt", "2021-03-01T09:14:59+01:00")), Acd, 409, "answeredAt", "may not precede 'offeredAt'");
        await Refused(Corrections(callId), Correction(("completedAt", "2021-03-01T09:15:19+01:00")), Acd, 409, "completedAt", "may not precede 'answeredAt'");
        // An answer corrected to after the recorded completion would make the completion go backwards.
        await Refused(Corrections(callId), Correction(("answeredAt", "2021-03-01T09:19:01+01:00")), Acd, 409, "completedAt", "may not precede 'answeredAt'");
        await Refused(Corrections(callId), Correction(("completedAt", DateTimeOffset.UtcNow.AddMinutes(10).ToString("O"))), Acd, 400, "completedAt", "future");
    }

    [Fact]
    public async Task A_correction_does_not_add_a_step_the_call_never_had()
    {
        var (_, abandoned) = await GivenOfferedCall();
        await Post($"/api/calls/{abandoned}/abandoned", Abandoned("2021-03-01T09:16:00+01:00"), Acd);
        await Refused(Corrections(abandoned), Correction(("answeredAt", "2021-03-01T09:15:20+01:00")), Acd, 409, "answeredAt", "never answered");

        var answered = await GivenAnsweredCall();
        await Refused(Corrections(answered), Correction(("completedAt", "2021-03-01T09:19:00+01:00")), Acd, 409, "completedAt", "never completed");
        await Refused(Corrections(answered), Correction(("outcome", "resolved")), Acd, 409, "outcome", "never completed");
        await Refused(Corrections(answered), Correction(("abandonedAt", "2021-03-01T09:16:00+01:00")), Acd, 409, "abandonedAt", "never abandoned");
    }

    [Fact]
    public async Task A_department_is_named_exactly_with_a_referring_outcome()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));

        await Refused(Corrections(callId), Correction(("outcome", "referred")), Acd, 400, "department", "is required");
        await Refused(Corrections(callId), Correction(("department", "ordnungsamt")), Acd, 400, "department", "only given with");
    }

    [Fact]
    public async Task Correcting_a_settled_call_to_referred_opens_its_referral()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var before = await Fixture.EventCountAsync();

        var answer = await Post(Corrections(callId), Correction(("outcome", "referred"), ("department", "ordnungsamt")), Acd, 201);

        Assert.Equal(before + 2, await Fixture.EventCountAsync());
        Assert.Equal($"ref-{callId}", (string)answer["referralId"]!);
        Assert.Equal("referred", (string)answer["outcome"]!);
        var referral = await Get($"/api/referrals/ref-{callId}", Department);
        Assert.Equal("open", (string)referral["status"]!);
        Assert.Equal("ordnungsamt", (string)referral["department"]!);
        Assert.Equal(callId, (string)referral["callId"]!);
        Assert.Equal("referred", (string)referral["outcome"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:19:00Z"), Instant(referral["openedAt"]));
        Assert.Equal($"ref-{callId}", Assert.IsType<CallRecordCorrected>((await EventsOf($"call:{callId}"))[3]).ReferralId);
    }

    [Fact]
    public async Task A_correction_to_a_promised_callback_with_a_new_completion_time_opens_the_referral_then()
    {
        var callId = await GivenCompletedCall(Completed("appointment-booked"));

        await Post(Corrections(callId), Correction(("outcome", "callback-promised"), ("department", "standesamt"), ("completedAt", "2021-03-01T09:20:00+01:00")), Acd, 201);

        var referral = await Get($"/api/referrals/ref-{callId}", Department);
        Assert.Equal("callback-promised", (string)referral["outcome"]!);
        Assert.Equal(DateTimeOffset.Parse("2021-03-01T08:20:00Z"), Instant(referral["openedAt"]));
    }

    [Fact]
    public async Task A_correction_does_not_open_a_referral_whose_id_another_call_took()
    {
        var contract = await GivenContract();
        var callId = await GivenCompletedCall(Completed("resolved"), contract);
        var squatter = Completed("referred", department: "ordnungsamt");
        squatter["referralId"] = $"ref-{callId}";
        await GivenCompletedCall(squatter, contract);

        await Refused(Corrections(callId), Correction(("outcome", "referred"), ("department", "ordnungsamt")), Acd, 409, "outcome", "exists already");
    }

    [Theory]
    [InlineData("referred", "resolved")]
    [InlineData("callback-promised", "appointment-booked")]
    public async Task A_referral_is_not_corrected_back_into_a_settled_call(string recorded, string corrected)
    {
        var callId = await GivenCompletedCall(Completed(recorded, department: "ordnungsamt"));

        await Refused(Corrections(callId), Correction(("outcome", corrected)), Acd, 409, "outcome", "does not withdraw a referral");

        Assert.Equal(recorded, (string)(await Get($"/api/calls/{callId}", Acd))["outcome"]!);
    }

    [Fact]
    public async Task Correcting_the_department_moves_an_open_referral()
    {
        var callId = await GivenCompletedCall(Completed("referred", department: "ordnungsamt"));
        var before = await Fixture.EventCountAsync();

        await Post(Corrections(callId), Correction(("department", "standesamt")), Acd, 201);

        Assert.Equal(before + 2, await Fixture.EventCountAsync());
        Assert.Equal("standesamt", (string)(await Get($"/api/calls/{callId}", Acd))["department"]!);
        var referral = await Get($"/api/referrals/ref-{callId}", Department);
        Assert.Equal("standesamt", (string)referral["department"]!);
        Assert.Equal("open", (string)referral["status"]!);
        Assert.Equal(2, (int)referral["version"]!);
        var reassigned = Assert.IsType<ReferralReassigned>((await EventsOf($"referral:ref-{callId}"))[1]);
        Assert.Equal("standesamt", reassigned.Department);
        Assert.Equal(Reason, reassigned.Reason);
    }

    [Fact]
    public async Task Correcting_the_department_moves_a_returned_referral_and_opens_it_again()
    {
        var callId = await GivenCompletedCall(Completed("referred", department: "ordnungsamt"));
        await Post($"/api/referrals/ref-{callId}/returned",
            new JsonObject { ["returnedAt"] = "2021-03-01T10:00:00+01:00", ["reason"] = "Zuständig ist das Standesamt" }, Department);

        await Post(Corrections(callId), Correction(("department", "standesamt")), Acd, 201);

        var referral = await Get($"/api/referrals/ref-{callId}", Department);
        Assert.Equal("open", (string)referral["status"]!);
        Assert.Equal("standesamt", (string)referral["department"]!);
        Assert.Null(referral["returnedAt"]);
    }

    [Theory]
    [InlineData("accepted", "acceptedAt", "accepted")]
    [InlineData("answered", "answeredAt", "answered")]
    public async Task The_department_of_a_referral_in_work_or_answered_stays(string step, string field, string status)
    {
        var callId = await GivenCompletedCall(Completed("referred", department: "ordnungsamt"));
        await Post($"/api/referrals/ref-{callId}/{step}", new JsonObject { [field] = "2021-03-01T10:00:00+01:00" }, Department);

        await Refused(Corrections(callId), Correction(("department", "standesamt")), Acd, 409, "department", $"is {status} at 'ordnungsamt'");

        Assert.Equal("ordnungsamt", (string)(await Get($"/api/calls/{callId}", Acd))["department"]!);
        Assert.Equal("ordnungsamt", (string)(await Get($"/api/referrals/ref-{callId}", Department))["department"]!);
    }

    [Fact]
    public async Task Only_the_service_centre_corrects_calls_of_its_contracts()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var correction = Correction(("completedAt", "2021-03-01T09:18:30+01:00"));

        await Refused(Corrections("no-such-call"), correction, Acd, 404);
        await Refused(Corrections(callId), correction, Tokens.For("service-centre", "dortmund"), 404);
        await Refused(Corrections(callId), correction, Department, 403);
        await Refused(Corrections(callId), correction, Tokens.Auditor, 403);
    }

    [Fact]
    public async Task Identical_corrections_racing_store_one_event()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var body = Correction(("completedAt", "2021-03-01T09:18:30+01:00")).ToJsonString();

        var results = await Racing(Corrections(callId), body, Acd);

        Assert.Single(results, r => r.Context.Response.StatusCode == 201);
        Assert.All(results, r => Assert.Contains(r.Context.Response.StatusCode, new[] { 200, 201 }));
        var history = await EventsOf($"call:{callId}");
        Assert.Equal(4, history.Count);
        Assert.Single(history.OfType<CallRecordCorrected>());
    }

    [Fact]
    public async Task Identical_corrections_to_referred_racing_open_one_referral()
    {
        var callId = await GivenCompletedCall(Completed("resolved"));
        var body = Correction(("outcome", "referred"), ("department", "ordnungsamt")).ToJsonString();

        var results = await Racing(Corrections(callId), body, Acd);

        Assert.Single(results, r => r.Context.Response.StatusCode == 201);
        Assert.All(results, r => Assert.Contains(r.Context.Response.StatusCode, new[] { 200, 201 }));
        Assert.Single((await EventsOf($"call:{callId}")).OfType<CallRecordCorrected>());
        Assert.IsType<ReferralOpened>(Assert.Single(await EventsOf($"referral:ref-{callId}")));
    }
}
