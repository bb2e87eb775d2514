using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

/// <summary>The agent ends an answered call with its outcome; referrals and promised callbacks open a referral.</summary>
public sealed record CompleteCall(
    DateTimeOffset? CompletedAt, CallOutcome? Outcome, string? Topic, string? Department, string? ReferralId, string? AppointmentId)
{
    public sealed class Validator : AbstractValidator<CompleteCall>
    {
        public Validator()
        {
            RuleFor(x => x.CompletedAt).NotNull();
            RuleFor(x => x.Outcome).NotNull();
            RuleFor(x => x.Topic).MaximumLength(CallRules.MaxTopicLength);
            CallRules.DepartmentAndReferral(this, x => x.Outcome, x => x.Department, x => x.ReferralId);
            RuleFor(x => x.AppointmentId)
                .Must(id => id is null || CallIds.IsValid(id)).WithMessage("'appointmentId' must be 1–100 letters, digits or '.', '_', ':', '-'.")
                .Must((x, id) => id is null || x.Outcome == CallOutcome.AppointmentBooked)
                .WithMessage("'appointmentId' is only given with the outcome 'appointment-booked'.");
        }
    }
}

public static class CompleteCallEndpoint
{
    public static Task<CallContext> LoadAsync(string callId, IDocumentSession session, CancellationToken ct) =>
        CallAccess.LoadAsync(session, callId, null, ct);

    public static ProblemDetails Validate(CompleteCall command, CallContext context, string callId, ClaimsPrincipal user, TimeProvider clock) =>
        CallAccess.MustReach(context, callId, user)
            .Then(() => Decide(context.Call!, command, clock))
            .Then(() => CallAccess.MustBeOpen(context, IsRepeat(context.Call!, command)));

    internal static ProblemDetails Decide(Call call, CompleteCall command, TimeProvider clock) => call.Status switch
    {
        CallStatus.Offered => Problems.Conflict("completedAt",
            $"Call '{call.CallId}' has not been answered: a call is completed only after it was answered."),
        CallStatus.Abandoned => Problems.Conflict("completedAt",
            $"Call '{call.CallId}' was abandoned at {call.AbandonedAt:O}: only an answered call is completed."),
        CallStatus.Completed => IsRepeat(call, command) ? Problems.None : Problems.Conflict(Differences(call, command)),
        _ => BusinessTime.Follows("completedAt", command.CompletedAt!.Value, "answeredAt", call.AnsweredAt!.Value, clock),
    };

    [WolverinePost("/api/calls/{callId}/completed")]
    [Authorize(Roles = Roles.ServiceCentre)]
    public static async Task<IResult> Post(
        CompleteCall command, CallContext context, IDocumentSession session, CancellationToken ct)
    {
        var call = context.Call!;
        if (IsRepeat(call, command))
        {
            return CallAccess.Ok(call);
        }

        var referralId = command.Outcome!.Value.OpensReferral() ? command.ReferralId ?? ReferralAccess.IdFor(call.CallId) : null;
        if (referralId is not null && await session.Events.FetchStreamStateAsync(StreamKeys.Referral(referralId), ct) is not null)
        {
            // Either an identical request won the race since we loaded the call, or another call owns the id.
            var now = await session.Events.AggregateStreamAsync<Call>(call.Id, token: ct);
            return now is not null && IsRepeat(now, command)
                ? CallAccess.Ok(now)
                : Results.Problem(Problems.Conflict("referralId", $"Referral '{referralId}' exists already; a call opens a referral of its own."));
        }

        if (await CallRules.FitsAppointmentsAsync(session, call, command.Outcome.Value, command.AppointmentId, ct) is { } misfit && !misfit.IsNone())
        {
            return Results.Problem(misfit);
        }

        var completed = new CallCompleted(
            call.CallId, command.CompletedAt!.Value, command.Outcome.Value, command.Topic, command.Department, referralId, command.AppointmentId);
        context.Stream.AppendOne(completed);
        if (referralId is not null)
        {
            // Same session, same transaction: the call is never completed as referred without its referral.
            CallRules.OpenReferral(session, call, referralId, command.Department!, command.Outcome.Value, command.CompletedAt.Value);
        }

        return CallAccess.Ok(call.Then(completed));
    }

    /// <summary>A made referral id is no difference: a retry without one repeats the completion that made it.</summary>
    internal static bool IsRepeat(Call call, CompleteCall command) =>
        call.Status == CallStatus.Completed && Differences(call, command).Count == 0;

    private static Dictionary<string, string[]> Differences(Call call, CompleteCall command)
    {
        var differences = new Dictionary<string, string[]>();
        void Differ(string field, bool differs, string recorded)
        {
            if (differs)
            {
                differences[field] = [$"Call '{call.CallId}' was recorded as completed with {recorded}."];
            }
        }

        Differ("completedAt", call.CompletedAt != command.CompletedAt, $"completedAt {call.CompletedAt:O}");
        Differ("outcome", call.Outcome != command.Outcome, $"the outcome '{call.Outcome?.Name()}'");
        Differ("topic", call.Topic != command.Topic, "another topic");
        Differ("department", call.Department != command.Department, $"department '{call.Department}'");
        Differ("referralId", command.ReferralId is not null && call.ReferralId != command.ReferralId, $"referral '{call.ReferralId}'");
        Differ("appointmentId", command.AppointmentId is not null && call.AppointmentId != command.AppointmentId, $"appointment '{call.AppointmentId}'");
        return differences;
    }
}
