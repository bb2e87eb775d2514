using Cooperation.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

/// <summary>The body is empty (`{}`): the server's clock is when it was recorded.</summary>
public sealed record RecordAppointmentAttended;

public static class RecordAppointmentAttendedEndpoint
{
    [WolverinePost("/api/appointments/{appointmentId}/attended")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    [ProducesResponseType<AppointmentView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string appointmentId, RecordAppointmentAttended command, HttpContext http, AppointmentWrites appointments, CancellationToken ct) =>
        AppointmentAccess.Answer(await appointments.RunAsync(http, appointmentId, s => AppointmentDecider.RecordAttended(command, s), ct));
}
