using Cooperation.Api.Infrastructure;
using FluentValidation;
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
                .WithMessage("'appointmentId' is only given with the outcome 'appointment-booked'.")
                .MaximumLength(CallIds.MaxLength);
        }
    }
}

public static class CompleteCallEndpoint
{
    [WolverinePost("/api/calls/{callId}/completed")]
    [Authorize(Roles = Roles.ServiceCentre)]
    [ProducesResponseType<CallView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string callId, CompleteCall command, HttpContext http, CallWrites calls, CancellationToken ct) =>
        CallAccess.Answer(await calls.RunAsync(http, callId, null, new CallReads
            {
                Referral = CallDecider.ReferralOpenedBy(command, callId),
                Appointments = command.Outcome != CallOutcome.AppointmentBooked,
                NamedAppointment = command.Outcome == CallOutcome.AppointmentBooked ? command.AppointmentId : null,
            }, s => CallDecider.Complete(command, s), ct));
}
