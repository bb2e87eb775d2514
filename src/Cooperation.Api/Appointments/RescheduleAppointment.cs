using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/appointments/{appointmentId}/rescheduled")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    [ProducesResponseType<AppointmentView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string appointmentId, RescheduleAppointment command, HttpContext http, AppointmentWrites appointments, CancellationToken ct) =>
        AppointmentAccess.Answer(await appointments.RunAsync(http, appointmentId, s => AppointmentDecider.Reschedule(command, s), ct));
}
