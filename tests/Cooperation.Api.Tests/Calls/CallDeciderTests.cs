using System.Runtime.CompilerServices;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Tests.Reports;

namespace Cooperation.Api.Tests.Calls;

/// <summary>The rules of a call's stream: given its events, when a command, then the events or a problem. No database.</summary>
public class CallDeciderTests
{
    private const string Id = "c-1";
    private static readonly string Key = StreamKeys.Call(Id);
    private static readonly DateTimeOffset Now = Terms.At("2021-03-02T12:00:00+01:00");
    private static readonly Contract Signed = Terms.Contract();
    private static readonly Caller Acd = new("acd", "bochum");

    private static readonly CallOffered Offered = new(Id, Signed.ContractId, "buergerbuero", Terms.At("2021-03-01T09:15:00+01:00"), null);
    private static readonly CallAnswered Answered = new(Id, Terms.At("2021-03-01T09:15:20+01:00"), "a-1");
    private static readonly CallCompleted Resolved = new(Id, Terms.At("2021-03-01T09:18:00+01:00"), CallOutcome.Resolved, "Ausweis", null, null, null);

    private static CallSituation Given(params object[] events) =>
        new(Id, Aggregates.Fold<Call>(null, events), Signed, Acd, Now);

    // ---- The one fold ----

    [Fact]
    public void The_fold_has_a_rule_for_every_event_of_the_stream()
    {
        foreach (var type in Aggregates.EventTypesOf<Call>())
        {
            var e = type == typeof(CallOffered) ? Offered : RuntimeHelpers.GetUninitializedObject(type);
            var call = Call.When(type == typeof(CallOffered) ? null : Call.When(null, Offered), e);
            Assert.NotNull(call);
        }

        Assert.Equal(5, Aggregates.EventTypesOf<Call>().Count);
    }

    [Fact]
    public void An_event_of_another_stream_or_out_of_place_is_no_silent_no_op()
    {
        Assert.Throws<UnknownEventException>(() => Call.When(Call.When(null, Offered), new ReferralAccepted("r", Now)));
        Assert.Throws<UnknownEventException>(() => Call.When(null, Answered));
        Assert.Throws<UnknownEventException>(() => Call.When(Call.When(null, Offered), Offered));
    }

    [Fact]
    public void A_correction_replaces_what_it_names_and_counts()
    {
        var corrected = new CallRecordCorrected(Id, "typo", Now, null, null, Terms.At("2021-03-01T09:19:00+01:00"), null, null, null);
        var call = Aggregates.Fold<Call>(null, [Offered, Answered, Resolved, corrected])!;
        Assert.Equal(
            Call.When(null, Offered) with
            {
                Version = 4, AnsweredAt = Answered.AnsweredAt, AgentId = "a-1", CompletedAt = corrected.CompletedAt,
                Outcome = CallOutcome.Resolved, Topic = "Ausweis", Corrections = 1,
            },
            call);
    }

    // ---- Offer ----

    [Fact]
    public void A_new_offer_starts_the_stream()
    {
        var decision = CallDecider.Offer(Offer(), "hash", Given());
        Assert.Equal([Offered with { CallerHash = "hash" }], decision.EventsOf(Key));
    }

    [Fact]
    public void An_identical_offer_is_already_recorded_and_a_different_one_names_each_difference()
    {
        Assert.True(CallDecider.Offer(Offer(), null, Given(Offered)).IsRepeat);
        var problem = CallDecider.Offer(Offer() with { ServiceLine = "kfz", OfferedAt = Now }, "other", Given(Offered)).Problem!;
        Assert.Equal(409, problem.Status);
        Assert.Equal(["caller", "offeredAt", "serviceLine"], Errors(problem).Keys.Order());
    }

    [Theory]
    [InlineData("2021-03-02T12:02:01+01:00", 400, "offeredAt")] // beyond the clock skew
    [InlineData("2020-11-01T10:00:00+01:00", 409, "offeredAt")] // before the term
    [InlineData("2021-03-01T09:00:00+01:00", 404, "serviceLine", "kfz")]
    public void An_offer_outside_what_the_contract_serves_is_refused(string offeredAt, int status, string field, string line = "buergerbuero")
    {
        var decision = CallDecider.Offer(Offer() with { OfferedAt = Terms.At(offeredAt), ServiceLine = line }, null, Given());
        AssertRefused(decision, status, field);
    }

    [Fact]
    public void An_offer_on_a_contract_out_of_reach_is_404_like_none()
    {
        AssertRefused(CallDecider.Offer(Offer(), null, Given() with { Caller = new("acd", "herne") }), 404, "contractId");
        AssertRefused(CallDecider.Offer(Offer(), null, Given() with { Contract = null }), 404, "contractId");
    }

    [Fact]
    public void No_call_is_offered_into_an_invoiced_quarter()
    {
        AssertRefused(CallDecider.Offer(Offer(), null, Given() with { Contract = Invoiced(Signed) }), 409, "offeredAt");
    }

    // ---- Answer and abandon ----

    [Fact]
    public void An_answer_follows_the_offer_and_is_recorded_once()
    {
        Assert.Equal([Answered], CallDecider.Answer(new(Answered.AnsweredAt, "a-1"), Given(Offered)).EventsOf(Key));
        Assert.True(CallDecider.Answer(new(Answered.AnsweredAt, "a-1"), Given(Offered, Answered)).IsRepeat);
        AssertRefused(CallDecider.Answer(new(Answered.AnsweredAt, "a-2"), Given(Offered, Answered)), 409, "agentId");
        AssertRefused(CallDecider.Answer(new(Offered.OfferedAt.AddSeconds(-1), "a-1"), Given(Offered)), 409, "answeredAt");
    }

    [Fact]
    public void A_call_is_answered_or_abandoned_never_both()
    {
        var abandoned = new CallAbandoned(Id, Terms.At("2021-03-01T09:16:00+01:00"));
        AssertRefused(CallDecider.Answer(new(Answered.AnsweredAt, "a-1"), Given(Offered, abandoned)), 409, "answeredAt");
        AssertRefused(CallDecider.Abandon(new(abandoned.AbandonedAt), Given(Offered, Answered)), 409, "abandonedAt");
        Assert.True(CallDecider.Abandon(new(abandoned.AbandonedAt), Given(Offered, abandoned)).IsRepeat);
    }

    [Fact]
    public void A_call_that_does_not_exist_is_404()
    {
        AssertRefused(CallDecider.Answer(new(Now, "a-1"), Given()), 404, null);
    }

    [Fact]
    public void A_call_of_an_invoiced_quarter_takes_no_change_but_a_repeat_is_still_a_repeat()
    {
        var closed = Given(Offered, Answered) with { Contract = Invoiced(Signed) };
        Assert.True(CallDecider.Answer(new(Answered.AnsweredAt, "a-1"), closed).IsRepeat);
        AssertRefused(CallDecider.Complete(Completion(CallOutcome.Resolved), closed), 409, "callId");
    }

    // ---- Completion ----

    [Theory]
    [InlineData(CallOutcome.Referred, "ordnungsamt")]
    [InlineData(CallOutcome.CallbackPromised, "standesamt")]
    public void A_completion_handing_the_citizen_on_opens_its_referral_in_the_same_decision(CallOutcome outcome, string department)
    {
        var decision = CallDecider.Complete(Completion(outcome) with { Department = department }, Given(Offered, Answered));

        var referralId = ReferralAccess.IdFor(Id);
        Assert.Equal([new CallCompleted(Id, Resolved.CompletedAt, outcome, null, department, referralId, null)], decision.EventsOf(Key));
        Assert.Equal(
            [new ReferralOpened(referralId, Id, Signed.ContractId, "buergerbuero", department, outcome, Resolved.CompletedAt)],
            decision.EventsOf(StreamKeys.Referral(referralId)));
        Assert.Equal(typeof(Referral), decision.Changes[1].Starts);
    }

    [Fact]
    public void A_completion_is_refused_before_the_answer_after_an_abandon_and_when_its_referral_is_taken()
    {
        AssertRefused(CallDecider.Complete(Completion(CallOutcome.Resolved), Given(Offered)), 409, "completedAt");
        AssertRefused(CallDecider.Complete(Completion(CallOutcome.Resolved), Given(Offered, new CallAbandoned(Id, Now))), 409, "completedAt");
        AssertRefused(CallDecider.Complete(Completion(CallOutcome.Referred) with { Department = "ordnungsamt" },
            Given(Offered, Answered) with { ReferralTaken = true }), 409, "referralId");
    }

    [Fact]
    public void An_appointment_booked_in_the_call_settles_its_outcome()
    {
        AssertRefused(CallDecider.Complete(Completion(CallOutcome.Resolved), Given(Offered, Answered) with { BookedAppointment = "apt-1" }), 409, "outcome");
        var booked = Completion(CallOutcome.AppointmentBooked) with { AppointmentId = "apt-2" };
        AssertRefused(CallDecider.Complete(booked, Given(Offered, Answered) with { Named = new("apt-2", "c-other") }), 409, "appointmentId");
        Assert.Single(CallDecider.Complete(booked, Given(Offered, Answered) with { Named = new("apt-2", Id) }).EventsOf(Key));
        Assert.Single(CallDecider.Complete(booked, Given(Offered, Answered)).EventsOf(Key)); // not yet reported: fine
    }

    [Fact]
    public void A_completion_repeated_is_already_recorded_and_a_different_one_names_the_difference()
    {
        var recorded = Given(Offered, Answered, Resolved);
        Assert.True(CallDecider.Complete(Completion(CallOutcome.Resolved) with { Topic = "Ausweis" }, recorded).IsRepeat);
        var problem = CallDecider.Complete(Completion(CallOutcome.Resolved), recorded).Problem!;
        Assert.Equal(["topic"], Errors(problem).Keys);
    }

    // ---- Correction ----

    [Fact]
    public void A_correction_to_referred_opens_the_referral_and_a_correction_of_its_department_moves_an_open_one()
    {
        var toReferred = new CorrectCall("falsch", null, null, null, CallOutcome.Referred, "ordnungsamt");
        var decision = CallDecider.Correct(toReferred, Given(Offered, Answered, Resolved));
        var referralId = ReferralAccess.IdFor(Id);
        Assert.Equal(
            [new CallRecordCorrected(Id, "falsch", Now, null, null, null, CallOutcome.Referred, "ordnungsamt", referralId)],
            decision.EventsOf(Key));
        Assert.IsType<ReferralOpened>(Assert.Single(decision.EventsOf(StreamKeys.Referral(referralId))));

        var referred = new CallCompleted(Id, Resolved.CompletedAt, CallOutcome.Referred, null, "ordnungsamt", referralId, null);
        var opened = new ReferralOpened(referralId, Id, Signed.ContractId, "buergerbuero", "ordnungsamt", CallOutcome.Referred, Resolved.CompletedAt);
        var open = Aggregates.Fold<Referral>(null, [opened])!;
        var moved = CallDecider.Correct(new CorrectCall("falsch", null, null, null, null, "standesamt"),
            Given(Offered, Answered, referred) with { Referral = open });
        Assert.Equal([new ReferralReassigned(referralId, "standesamt", Now, "falsch")], moved.EventsOf(open.Id));

        var accepted = open with { Status = ReferralStatus.Accepted };
        AssertRefused(CallDecider.Correct(new CorrectCall("falsch", null, null, null, null, "standesamt"),
            Given(Offered, Answered, referred) with { Referral = accepted }), 409, "department");
    }

    [Theory]
    [InlineData("answeredAt")]
    [InlineData("completedAt")]
    public void A_correction_does_not_add_a_step_the_call_never_had(string field)
    {
        var correction = field == "answeredAt"
            ? new CorrectCall("falsch", Now, null, null, null, null)
            : new CorrectCall("falsch", null, null, Now, null, null);
        AssertRefused(CallDecider.Correct(correction, Given(Offered)), 409, field);
    }

    [Fact]
    public void A_correction_to_what_is_recorded_changes_nothing_and_a_referral_is_not_withdrawn()
    {
        Assert.True(CallDecider.Correct(new CorrectCall("x", Answered.AnsweredAt, null, null, null, null), Given(Offered, Answered)).IsRepeat);
        var referred = new CallCompleted(Id, Resolved.CompletedAt, CallOutcome.Referred, null, "ordnungsamt", ReferralAccess.IdFor(Id), null);
        AssertRefused(CallDecider.Correct(new CorrectCall("x", null, null, null, CallOutcome.Resolved, null), Given(Offered, Answered, referred)), 409, "outcome");
    }

    // ---- A line of the bulk import ----

    [Fact]
    public void A_whole_call_record_is_decided_step_by_step_and_a_repeat_adds_nothing()
    {
        var record = new CallRecord(Id, Signed.ContractId, "buergerbuero", Offered.OfferedAt, Answered.AnsweredAt, null, "a-1",
            Resolved.CompletedAt, CallOutcome.Referred, null, "ordnungsamt", null);

        var decision = CallDecider.Record(record, null, Given());

        Assert.Equal([typeof(CallOffered), typeof(CallAnswered), typeof(CallCompleted)], decision.EventsOf(Key).Select(e => e.GetType()));
        Assert.Single(decision.EventsOf(StreamKeys.Referral(ReferralAccess.IdFor(Id))));
        var after = Aggregates.Fold<Call>(null, decision.EventsOf(Key));
        Assert.True(CallDecider.Record(record, null, Given() with { Call = after }).IsRepeat);
        Assert.Equal([typeof(CallCompleted)], CallDecider.Record(record, null, Given(Offered, Answered)).EventsOf(Key).Select(e => e.GetType()));
    }

    [Fact]
    public void A_record_that_contradicts_what_is_recorded_is_refused_whole()
    {
        var record = new CallRecord(Id, Signed.ContractId, "buergerbuero", Offered.OfferedAt, null, Terms.At("2021-03-01T09:16:00+01:00"), null,
            null, null, null, null, null);
        var decision = CallDecider.Record(record, null, Given(Offered, Answered));
        AssertRefused(decision, 409, "abandonedAt");
        Assert.Empty(decision.Changes);
    }

    private static OfferCall Offer() => new(Id, Signed.ContractId, "buergerbuero", Offered.OfferedAt, null);

    private static CompleteCall Completion(CallOutcome outcome) => new(Resolved.CompletedAt, outcome, null, null, null, null);

    private static Contract Invoiced(Contract contract) =>
        contract.Apply(new QuarterClosed(contract.ContractId, 2021, 1, "inv-1", "BO-2021-0001", Now));

    private static IDictionary<string, string[]> Errors(Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        (IDictionary<string, string[]>)problem.Extensions[Problems.ErrorsKey]!;

    private static void AssertRefused(Decision decision, int status, string? field)
    {
        Assert.True(decision.IsRefused, decision.ToString());
        Assert.Equal(status, decision.Problem!.Status);
        if (field is not null)
        {
            Assert.Contains(field, Errors(decision.Problem).Keys);
        }
    }
}
