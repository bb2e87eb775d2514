using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/appointments/{appointmentId}/cancelled")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    [ProducesResponseType<AppointmentView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string appointmentId, CancelAppointment command, HttpContext http, AppointmentWrites appointments, CancellationToken ct) =>
        AppointmentAccess.Answer(await appointments.RunAsync(http, appointmentId, s => AppointmentDecider.Cancel(command, s), ct));
}
