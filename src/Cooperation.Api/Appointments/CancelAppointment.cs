using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

/// <summary><c>Reason</c> is short free text, e.g. "citizen called to cancel".</summary>
public sealed record CancelAppointment(string? Reason)
{
    public sealed class Validator : AbstractValidator<CancelAppointment>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().MaximumLength(500).When(x => x.Reason is not null);
    }
}

public static class CancelAppointmentEndpoint
{
    public static Task<AppointmentContext> LoadAsync(string appointmentId, IDocumentSession session, CancellationToken ct) =>
        AppointmentAccess.LoadAsync(session, appointmentId, null, ct);

    public static ProblemDetails Validate(CancelAppointment command, AppointmentContext context, string appointmentId, ClaimsPrincipal user) =>
        AppointmentAccess.MustReach(context, appointmentId, user).Then(() => Decide(context.Appointment!, command));

    private static ProblemDetails Decide(Appointment appointment, CancelAppointment command)
    {
        if (appointment.Status == AppointmentStatus.Cancelled)
        {
            return appointment.CancellationReason == command.Reason
                ? Problems.None
                : Problems.Conflict(new Dictionary<string, string[]>
                {
                    ["reason"] = [$"Appointment '{appointment.AppointmentId}' was cancelled at {appointment.CancelledAt:O} with another reason."],
                });
        }

        return AppointmentAccess.MustBeOpen(appointment);
    }

    [WolverinePost("/api/appointments/{appointmentId}/cancelled")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    public static IResult Post(CancelAppointment command, AppointmentContext context, TimeProvider clock)
    {
        var appointment = context.Appointment!;
        if (appointment.Status == AppointmentStatus.Cancelled)
        {
            return AppointmentAccess.Ok(appointment);
        }

        var cancelled = new AppointmentCancelled(appointment.AppointmentId, command.Reason, clock.GetUtcNow());
        return AppointmentAccess.Append(context, cancelled, appointment.Apply(cancelled));
    }
}
