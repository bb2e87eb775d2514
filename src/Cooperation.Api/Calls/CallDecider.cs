using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Calls;

/// <summary>
/// What a decision on a call is made on besides the command: the call (null before its offer), its contract,
/// who asks, the time, and what other streams say that the rules need. Read before deciding, by the write step or
/// the bulk import.
/// </summary>
public sealed record CallSituation(string CallId, Call? Call, Contract? Contract, Caller Caller, DateTimeOffset Now)
{
    /// <summary>An appointment booked in this call, if any: it settles the call's outcome.</summary>
    public string? BookedAppointment { get; init; }

    /// <summary>The call an appointment named by the completion was booked in (null: not booked in a call, or unknown).</summary>
    public NamedAppointment? Named { get; init; }

    /// <summary>The referral the command would open exists already.</summary>
    public bool ReferralTaken { get; init; }

    /// <summary>The referral the call opened, for a correction of its department.</summary>
    public Referral? Referral { get; init; }
}

/// <summary>An appointment named in a completion, as far as the rule needs it.</summary>
public sealed record NamedAppointment(string AppointmentId, string? CallId);

/// <summary>
/// The rules of a call's stream, each in one place (ADR 14): a pure function of the command, the situation and
/// the time, giving the events to store, "already recorded", or a problem. The single requests and the bulk
/// import decide through these.
/// </summary>
public static class CallDecider
{
    public static Decision Offer(OfferCall command, string? callerHash, CallSituation s)
    {
        var contract = s.Contract;
        if (contract is null || !contract.IsReachableBy(s.Caller))
        {
            return Decision.Refuse(Problems.NotFound("contractId", $"There is no contract '{command.ContractId}'."));
        }

        if (s.Call is { } recorded)
        {
            return OfferDifferences(recorded, command, callerHash) is { Count: > 0 } differences
                ? Decision.Refuse(Problems.Conflict(differences))
                : Decision.AlreadyRecorded;
        }

        var offeredAt = command.OfferedAt!.Value;
        var day = Berlin.DateOf(offeredAt);
        return Decision.Unless(
            BusinessTime.NotInTheFuture("offeredAt", offeredAt, s.Now)
                .Then(() => contract.Covers(day)
                    ? Problems.None
                    : Problems.Conflict("offeredAt", contract.Status == ContractStatus.Terminated && day > contract.EndsOn
                        ? $"Contract '{contract.ContractId}' was terminated and ended on {contract.EndsOn:yyyy-MM-dd}; it takes no calls after its end."
                        : $"Contract '{contract.ContractId}' does not cover {day:yyyy-MM-dd}."))
                .Then(() => contract.LineOn(command.ServiceLine!, day) is not null
                    ? Problems.None
                    : Problems.NotFound("serviceLine", $"Contract '{contract.ContractId}' has no service line '{command.ServiceLine}' on {day:yyyy-MM-dd}."))
                .Then(() => contract.ClosingOf(Quarter.Of(offeredAt)) is { } closed
                    ? Problems.Conflict("offeredAt",
                        $"{closed.Period} of contract '{contract.ContractId}' is invoiced ({closed.InvoiceNumber}): no call is recorded into it any more. Cancel the invoice with a credit note to reopen the quarter.")
                    : Problems.None),
            () => Decision.Append(StreamKeys.Call(command.CallId!),
                new CallOffered(command.CallId!, command.ContractId!, command.ServiceLine!, offeredAt, callerHash)));
    }

    public static Decision Answer(AnswerCall command, CallSituation s) => OnReachableCall(s, call =>
    {
        if (call.AbandonedAt is { } abandoned)
        {
            return Decision.Refuse(Problems.Conflict("answeredAt", $"Call '{call.CallId}' was abandoned at {abandoned:O}: a call is answered or abandoned, never both."));
        }

        if (call.AnsweredAt is { } answered)
        {
            return call.AnsweredAt == command.AnsweredAt && call.AgentId == command.AgentId
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict(new Dictionary<string, string[]>
                {
                    [answered == command.AnsweredAt ? "agentId" : "answeredAt"] =
                        [$"Call '{call.CallId}' was recorded as answered at {answered:O} by '{call.AgentId}'."],
                }));
        }

        return Decision.Unless(
            BusinessTime.Follows("answeredAt", command.AnsweredAt!.Value, "offeredAt", call.OfferedAt, s.Now).Then(() => MustBeOpen(s.Contract!, call)),
            () => Decision.Append(call.Id, new CallAnswered(call.CallId, command.AnsweredAt!.Value, command.AgentId!)));
    });

    public static Decision Abandon(AbandonCall command, CallSituation s) => OnReachableCall(s, call =>
    {
        if (call.AnsweredAt is { } answered)
        {
            return Decision.Refuse(Problems.Conflict("abandonedAt", $"Call '{call.CallId}' was answered at {answered:O}: a call is answered or abandoned, never both."));
        }

        if (call.AbandonedAt is { } abandoned)
        {
            return abandoned == command.AbandonedAt
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict(new Dictionary<string, string[]>
                {
                    ["abandonedAt"] = [$"Call '{call.CallId}' was recorded as abandoned at {abandoned:O}."],
                }));
        }

        return Decision.Unless(
            BusinessTime.Follows("abandonedAt", command.AbandonedAt!.Value, "offeredAt", call.OfferedAt, s.Now).Then(() => MustBeOpen(s.Contract!, call)),
            () => Decision.Append(call.Id, new CallAbandoned(call.CallId, command.AbandonedAt!.Value)));
    });

    /// <summary>The referral a completion with this outcome opens: the named one, or one derived from the call.</summary>
    public static string? ReferralOpenedBy(CompleteCall command, string callId) =>
        command.Outcome?.OpensReferral() == true ? command.ReferralId ?? ReferralAccess.IdFor(callId) : null;

    public static Decision Complete(CompleteCall command, CallSituation s) => OnReachableCall(s, call =>
    {
        switch (call.Status)
        {
            case CallStatus.Offered:
                return Decision.Refuse(Problems.Conflict("completedAt",
                    $"Call '{call.CallId}' has not been answered: a call is completed only after it was answered."));
            case CallStatus.Abandoned:
                return Decision.Refuse(Problems.Conflict("completedAt",
                    $"Call '{call.CallId}' was abandoned at {call.AbandonedAt:O}: only an answered call is completed."));
            case CallStatus.Completed:
                return CompletionDifferences(call, command) is { Count: > 0 } differences
                    ? Decision.Refuse(Problems.Conflict(differences))
                    : Decision.AlreadyRecorded;
        }

        var outcome = command.Outcome!.Value;
        var referralId = ReferralOpenedBy(command, call.CallId);
        var problem = BusinessTime.Follows("completedAt", command.CompletedAt!.Value, "answeredAt", call.AnsweredAt!.Value, s.Now)
            .Then(() => MustBeOpen(s.Contract!, call))
            .Then(() => referralId is not null && s.ReferralTaken
                ? Problems.Conflict("referralId", $"Referral '{referralId}' exists already; a call opens a referral of its own.")
                : Problems.None)
            .Then(() => FitsAppointments(call, outcome, command.AppointmentId, s));
        var completed = new CallCompleted(
            call.CallId, command.CompletedAt.Value, outcome, command.Topic, command.Department, referralId, command.AppointmentId);
        return Decision.Unless(problem, () => WithReferral(Decision.Append(call.Id, completed), call, referralId, command.Department, outcome, command.CompletedAt.Value));
    });

    public static Decision Correct(CorrectCall command, CallSituation s) => OnReachableCall(s, call =>
    {
        if (command.ChangesNothingIn(call))
        {
            return Decision.AlreadyRecorded; // a retry, or nothing to correct
        }

        var errors = new Dictionary<string, string[]>();
        void Missing(string field, bool given, bool recorded, string what)
        {
            if (given && !recorded)
            {
                errors[field] = [$"Call '{call.CallId}' was never {what}: a correction changes recorded values, it does not add a step."];
            }
        }

        Missing("answeredAt", command.AnsweredAt is not null, call.AnsweredAt is not null, "answered");
        Missing("abandonedAt", command.AbandonedAt is not null, call.AbandonedAt is not null, "abandoned");
        Missing("completedAt", command.CompletedAt is not null, call.CompletedAt is not null, "completed");
        Missing("outcome", command.Outcome is not null, call.CompletedAt is not null, "completed");
        Missing("department", command.Department is not null, call.CompletedAt is not null, "completed");
        if (errors.Count > 0)
        {
            return Decision.Refuse(Problems.Conflict(errors));
        }

        var opened = call.ReferralId is null ? ReferralAccess.IdFor(call.CallId) : null;
        var corrected = new CallRecordCorrected(call.CallId, command.Reason!, s.Now, command.AnsweredAt, command.AbandonedAt, command.CompletedAt,
            command.Outcome, command.Department, null);
        var after = Call.When(call, corrected);
        var outcome = after.Outcome;
        var opensReferral = outcome?.OpensReferral() == true;
        var problem = (opensReferral && after.Department is null
                ? Problems.Invalid("department", "'department' is required with the outcome 'referred' or 'callback-promised': it names who answers the citizen.")
                : outcome?.OpensReferral() == false && command.Department is not null
                    ? Problems.Invalid("department", CallRules.DepartmentOnlyWithReferral)
                    : outcome?.OpensReferral() == false && call.ReferralId is not null
                        ? Problems.Conflict("outcome",
                            $"Call '{call.CallId}' opened referral '{call.ReferralId}'; a correction does not withdraw a referral, so the outcome stays 'referred' or 'callback-promised'.")
                        : Problems.None)
            .Then(() => Within(command.AnsweredAt, "answeredAt", "offeredAt", after.OfferedAt))
            .Then(() => Within(command.AbandonedAt, "abandonedAt", "offeredAt", after.OfferedAt))
            .Then(() => Within(command.AnsweredAt is not null ? after.CompletedAt : command.CompletedAt, "completedAt", "answeredAt", after.AnsweredAt ?? after.OfferedAt))
            .Then(() => MustBeOpen(s.Contract!, call))
            // A call not (yet) completed has no outcome: only its times are corrected.
            .Then(() => outcome is { } o && o != call.Outcome ? FitsAppointments(call, o, null, s) : Problems.None);
        if (!problem.IsNone())
        {
            return Decision.Refuse(problem);
        }

        if (!opensReferral)
        {
            return Decision.Append(call.Id, corrected);
        }

        if (opened is not null)
        {
            return s.ReferralTaken
                ? Decision.Refuse(Problems.Conflict("outcome", $"Referral '{opened}' exists already; the call cannot open it."))
                : WithReferral(Decision.Append(call.Id, corrected with { ReferralId = opened }), after, opened, after.Department, outcome!.Value, after.CompletedAt!.Value);
        }

        if (after.Department == call.Department)
        {
            return Decision.Append(call.Id, corrected);
        }

        // A referral not yet taken up (or handed back) moves to the corrected department; one in work stays.
        return s.Referral is { Status: ReferralStatus.Open or ReferralStatus.Returned } referral
            ? Decision.Append(call.Id, corrected).And(referral.Id, new ReferralReassigned(referral.ReferralId, after.Department!, s.Now, command.Reason!))
            : Decision.Refuse(Problems.Conflict("department",
                $"Referral '{call.ReferralId}' is {s.Referral?.Status.ToString().ToLowerInvariant() ?? "missing"} at '{call.Department}'; its department can no longer be corrected."));

        ProblemDetails Within(DateTimeOffset? value, string field, string earlierField, DateTimeOffset earlier) =>
            value is { } v ? BusinessTime.Follows(field, v, earlierField, earlier, s.Now) : Problems.None;
    });

    /// <summary>
    /// One line of a bulk import: the offer, answer or abandon, and completion it holds, decided step by step with
    /// the single requests' rules on the call as each step leaves it. A step already recorded is a repeat.
    /// </summary>
    public static Decision Record(CallRecord record, string? callerHash, CallSituation s)
    {
        var key = StreamKeys.Call(record.CallId!);
        var events = new List<object>();
        var decision = Offer(record.Offer, callerHash, s);
        var referral = default(StreamEvents);
        foreach (var step in Steps())
        {
            if (step.IsRefused)
            {
                return step;
            }

            var mine = step.EventsOf(key);
            events.AddRange(mine);
            referral ??= step.Changes.FirstOrDefault(c => c.Key != key);
            s = s with { Call = Aggregates.Fold(s.Call, mine) };
        }

        if (events.Count == 0)
        {
            return Decision.AlreadyRecorded;
        }

        var all = Decision.Append(key, [.. events]);
        return referral is null ? all : all.AndStart<Referral>(referral.Key, [.. referral.Events]);

        IEnumerable<Decision> Steps()
        {
            yield return decision;
            if (record.Answer is { } answer)
            {
                yield return Answer(answer, s);
            }

            if (record.Abandon is { } abandon)
            {
                yield return Abandon(abandon, s);
            }

            if (record.Complete is { } complete)
            {
                yield return Complete(complete, s);
            }
        }
    }

    /// <summary>404 for a call that does not exist or belongs to a contract out of the caller's reach.</summary>
    private static Decision OnReachableCall(CallSituation s, Func<Call, Decision> decide) =>
        s.Call is { } call && s.Contract is { } contract && contract.IsReachableBy(s.Caller)
            ? decide(call)
            : Decision.Refuse(Problems.NotFound($"There is no call '{s.CallId}'."));

    /// <summary>
    /// 409 for a change to a call offered in an invoiced quarter (domain §6): the quarter's figures stay as billed.
    /// A repeat of what is recorded is decided before and is still answered as the retry it is.
    /// </summary>
    public static ProblemDetails MustBeOpen(Contract contract, Call call) =>
        contract.ClosingOf(Quarter.Of(call.OfferedAt)) is { } closed
            ? Problems.Conflict("callId",
                $"Call '{call.CallId}' was offered in {closed.Period}, which is invoiced ({closed.InvoiceNumber}): its record is closed. Cancel the invoice with a credit note to reopen the quarter.")
            : Problems.None;

    /// <summary>
    /// An appointment booked in a call settles it: such a call is completed, and stays, as 'appointment-booked'.
    /// A named appointment must be one of this call's, or not yet known (the appointment system may report it later).
    /// </summary>
    private static ProblemDetails FitsAppointments(Call call, CallOutcome outcome, string? appointmentId, CallSituation s)
    {
        if (outcome != CallOutcome.AppointmentBooked)
        {
            return s.BookedAppointment is { } booked
                ? Problems.Conflict("outcome", $"Appointment '{booked}' was booked in call '{call.CallId}': its outcome is 'appointment-booked'.")
                : Problems.None;
        }

        return appointmentId is not null && s.Named is { } named && named.AppointmentId == appointmentId && named.CallId != call.CallId
            ? Problems.Conflict("appointmentId", $"Appointment '{appointmentId}' was not booked in call '{call.CallId}'.")
            : Problems.None;
    }

    /// <summary>The referral a completion (or a correction) opens, in the same transaction: never a referred call without it.</summary>
    private static Decision WithReferral(Decision decision, Call call, string? referralId, string? department, CallOutcome outcome, DateTimeOffset completedAt) =>
        referralId is null
            ? decision
            : decision.AndStart<Referral>(StreamKeys.Referral(referralId),
                new ReferralOpened(referralId, call.CallId, call.ContractId, call.ServiceLine, department!, outcome, completedAt));

    /// <summary>What a repeat of the offer says differently from what was recorded, by field.</summary>
    private static Dictionary<string, string[]> OfferDifferences(Call recorded, OfferCall command, string? callerHash) => Differences(
        ("contractId", recorded.ContractId != command.ContractId, $"Call '{recorded.CallId}' was recorded on contract '{recorded.ContractId}'."),
        ("serviceLine", recorded.ServiceLine != command.ServiceLine, $"Call '{recorded.CallId}' was recorded on service line '{recorded.ServiceLine}'."),
        ("offeredAt", recorded.OfferedAt != command.OfferedAt, $"Call '{recorded.CallId}' was recorded as offered at {recorded.OfferedAt:O}."),
        ("caller", recorded.CallerHash != callerHash && recorded.CallerHash != CallerErasure.Erased, $"Call '{recorded.CallId}' was recorded with another caller."));

    /// <summary>A made referral id is no difference: a retry without one repeats the completion that made it.</summary>
    private static Dictionary<string, string[]> CompletionDifferences(Call call, CompleteCall command)
    {
        var recorded = $"Call '{call.CallId}' was recorded as completed with";
        return Differences(
            ("completedAt", call.CompletedAt != command.CompletedAt, $"{recorded} completedAt {call.CompletedAt:O}."),
            ("outcome", call.Outcome != command.Outcome, $"{recorded} the outcome '{call.Outcome?.Name()}'."),
            ("topic", call.Topic != command.Topic && call.Topic != CallerErasure.Erased, $"{recorded} another topic."),
            ("department", call.Department != command.Department, $"{recorded} department '{call.Department}'."),
            ("referralId", command.ReferralId is not null && call.ReferralId != command.ReferralId, $"{recorded} referral '{call.ReferralId}'."),
            ("appointmentId", command.AppointmentId is not null && call.AppointmentId != command.AppointmentId, $"{recorded} appointment '{call.AppointmentId}'."));
    }

    private static Dictionary<string, string[]> Differences(params (string Field, bool Differs, string Recorded)[] fields) =>
        fields.Where(f => f.Differs).ToDictionary(f => f.Field, f => new[] { f.Recorded });
}
