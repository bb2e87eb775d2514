using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

public sealed record RescheduleAppointment(DateTimeOffset? StartsAt)
{
    public sealed class Validator : AbstractValidator<RescheduleAppointment>
    {
        public Validator() => RuleFor(x => x.StartsAt).NotNull().PlausibleInstant();
    }
}

public static class RescheduleAppointmentEndpoint
{
    public static Task<AppointmentContext> LoadAsync(string appointmentId, IDocumentSession session, CancellationToken ct) =>
        AppointmentAccess.LoadAsync(session, appointmentId, null, ct);

    public static ProblemDetails Validate(RescheduleAppointment command, AppointmentContext context, string appointmentId, ClaimsPrincipal user) =>
        AppointmentAccess.MustReach(context, appointmentId, user).Then(() => Decide(context.Appointment!, context.Contract!, command));

    // Moving it to where it already is asks for nothing new: a retry, whatever has happened since.
    private static ProblemDetails Decide(Appointment appointment, Contract contract, RescheduleAppointment command) =>
        appointment.StartsAt == command.StartsAt
            ? Problems.None
            : AppointmentAccess.MustBeOpen(appointment).Then(() => AppointmentAccess.MustFallWithinTerm(contract, command.StartsAt!.Value));

    [WolverinePost("/api/appointments/{appointmentId}/rescheduled")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    public static IResult Post(RescheduleAppointment command, AppointmentContext context, TimeProvider clock)
    {
        var appointment = context.Appointment!;
        if (appointment.StartsAt == command.StartsAt)
        {
            return AppointmentAccess.Ok(appointment);
        }

        var rescheduled = new AppointmentRescheduled(appointment.AppointmentId, command.StartsAt!.Value, clock.GetUtcNow());
        return AppointmentAccess.Append(context, rescheduled, appointment.Apply(rescheduled));
    }
}
