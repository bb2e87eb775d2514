using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

/// <summary>
/// Corrects recorded values of a call after the fact, with a reason. The original events stay in the stream;
/// reports use the corrected values. A correction changes what was recorded; it does not add a step the
/// call never had (an answer to an abandoned call, a completion to an open one).
/// </summary>
public sealed record CorrectCall(
    string? Reason, DateTimeOffset? AnsweredAt, DateTimeOffset? AbandonedAt, DateTimeOffset? CompletedAt, CallOutcome? Outcome, string? Department)
{
    public bool ChangesNothingIn(Call call) =>
        (AnsweredAt is null || AnsweredAt == call.AnsweredAt) &&
        (AbandonedAt is null || AbandonedAt == call.AbandonedAt) &&
        (CompletedAt is null || CompletedAt == call.CompletedAt) &&
        (Outcome is null || Outcome == call.Outcome) &&
        (Department is null || Department == call.Department);

    public sealed class Validator : AbstractValidator<CorrectCall>
    {
        public Validator()
        {
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(500);
            RuleFor(x => x).Must(x => x.AnsweredAt is not null || x.AbandonedAt is not null || x.CompletedAt is not null || x.Outcome is not null || x.Department is not null)
                .OverridePropertyName("$")
                .WithMessage("A correction names at least one of 'answeredAt', 'abandonedAt', 'completedAt', 'outcome', 'department'.");
            RuleFor(x => x.Department).KebabCaseId();
        }
    }
}

public static class CorrectCallEndpoint
{
    public static Task<CallContext> LoadAsync(string callId, IDocumentSession session, CancellationToken ct) =>
        CallAccess.LoadAsync(session, callId, null, ct);

    public static ProblemDetails Validate(CorrectCall command, CallContext context, string callId, ClaimsPrincipal user, TimeProvider clock) =>
        CallAccess.MustReach(context, callId, user)
            .Then(() => Decide(context.Call!, command, clock))
            .Then(() => CallAccess.MustBeOpen(context, command.ChangesNothingIn(context.Call!)));

    internal static ProblemDetails Decide(Call call, CorrectCall command, TimeProvider clock)
    {
        if (command.ChangesNothingIn(call))
        {
            return Problems.None; // a retry, or nothing to correct: answered in Post
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
            return Problems.Conflict(errors);
        }

        var after = call.Apply(Corrected(call, command, DateTimeOffset.MinValue, null));
        var outcome = after.Outcome;
        if (outcome?.OpensReferral() == true && after.Department is null)
        {
            return Problems.Invalid("department", "'department' is required with the outcome 'referred' or 'callback-promised': it names who answers the citizen.");
        }

        if (outcome?.OpensReferral() == false && command.Department is not null)
        {
            return Problems.Invalid("department", CallRules.DepartmentOnlyWithReferral);
        }

        if (outcome?.OpensReferral() == false && call.ReferralId is not null)
        {
            return Problems.Conflict("outcome",
                $"Call '{call.CallId}' opened referral '{call.ReferralId}'; a correction does not withdraw a referral, so the outcome stays 'referred' or 'callback-promised'.");
        }

        return Within(command.AnsweredAt, "answeredAt", "offeredAt", after.OfferedAt)
            .Then(() => Within(command.AbandonedAt, "abandonedAt", "offeredAt", after.OfferedAt))
            .Then(() => Within(command.AnsweredAt is not null ? after.CompletedAt : command.CompletedAt, "completedAt", "answeredAt", after.AnsweredAt ?? after.OfferedAt));

        ProblemDetails Within(DateTimeOffset? value, string field, string earlierField, DateTimeOffset earlier) =>
            value is { } v ? BusinessTime.Follows(field, v, earlierField, earlier, clock) : Problems.None;
    }

    [WolverinePost("/api/calls/{callId}/corrections")]
    [Authorize(Roles = Roles.ServiceCentre)]
    public static async Task<IResult> Post(
        CorrectCall command, CallContext context, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var call = context.Call!;
        if (command.ChangesNothingIn(call))
        {
            return CallAccess.Ok(call);
        }

        var after = call.Apply(Corrected(call, command, clock.GetUtcNow(), null));
        // A call not (yet) completed has no outcome: only its times are corrected.
        if (after.Outcome is { } outcome && outcome != call.Outcome
            && await CallRules.FitsAppointmentsAsync(session, call, outcome, null, ct) is { } misfit && !misfit.IsNone())
        {
            return Results.Problem(misfit);
        }

        string? opened = null;
        if (after.Outcome?.OpensReferral() == true)
        {
            if (call.ReferralId is null)
            {
                opened = ReferralAccess.IdFor(call.CallId);
                if (await session.Events.FetchStreamStateAsync(StreamKeys.Referral(opened), ct) is not null)
                {
                    // Either an identical correction won the race since we loaded the call, or another call owns the id.
                    var now = await session.Events.AggregateStreamAsync<Call>(call.Id, token: ct);
                    return now is not null && command.ChangesNothingIn(now)
                        ? CallAccess.Ok(now)
                        : Results.Problem(Problems.Conflict("outcome", $"Referral '{opened}' exists already; the call cannot open it."));
                }

                CallRules.OpenReferral(session, call, opened, after.Department!, after.Outcome!.Value, after.CompletedAt!.Value);
            }
            else if (after.Department != call.Department && await Reassign(session, call, after.Department!, command.Reason!, clock, ct) is { } refused)
            {
                return Results.Problem(refused);
            }
        }

        var corrected = Corrected(call, command, clock.GetUtcNow(), opened);
        context.Stream.AppendOne(corrected);
        return Results.Created($"/api/calls/{call.CallId}", CallView.From(call.Then(corrected)));
    }

    private static CallRecordCorrected Corrected(Call call, CorrectCall command, DateTimeOffset at, string? openedReferral) => new(
        call.CallId, command.Reason!, at, command.AnsweredAt, command.AbandonedAt, command.CompletedAt, command.Outcome, command.Department, openedReferral);

    /// <summary>A referral not yet taken up (or handed back) moves to the corrected department; one in work stays.</summary>
    private static async Task<ProblemDetails?> Reassign(
        IDocumentSession session, Call call, string department, string reason, TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Referral>(StreamKeys.Referral(call.ReferralId!), ct);
        if (stream.Aggregate is not { Status: ReferralStatus.Open or ReferralStatus.Returned })
        {
            return Problems.Conflict("department",
                $"Referral '{call.ReferralId}' is {stream.Aggregate?.Status.ToString().ToLowerInvariant() ?? "missing"} at '{call.Department}'; its department can no longer be corrected.");
        }

        stream.AppendOne(new ReferralReassigned(call.ReferralId!, department, clock.GetUtcNow(), reason));
        return null;
    }
}
