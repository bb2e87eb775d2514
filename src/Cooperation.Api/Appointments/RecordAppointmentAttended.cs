using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

/// <summary>The body is empty (`{}`): the server's clock is when it was recorded.</summary>
public sealed record RecordAppointmentAttended;

public static class RecordAppointmentAttendedEndpoint
{
    public static Task<AppointmentContext> LoadAsync(string appointmentId, IDocumentSession session, CancellationToken ct) =>
        AppointmentAccess.LoadAsync(session, appointmentId, null, ct);

    public static ProblemDetails Validate(RecordAppointmentAttended command, AppointmentContext context, string appointmentId, ClaimsPrincipal user, TimeProvider clock) =>
        AppointmentAccess.MustReach(context, appointmentId, user)
            .Then(() => AppointmentAccess.MayRecord(context.Appointment!, AppointmentStatus.Attended, clock));

    [WolverinePost("/api/appointments/{appointmentId}/attended")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    public static IResult Post(RecordAppointmentAttended command, AppointmentContext context, TimeProvider clock) =>
        AppointmentAccess.Record(context, AppointmentStatus.Attended, clock);
}
