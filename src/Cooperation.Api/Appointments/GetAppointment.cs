using System.Security.Claims;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

public static class GetAppointmentEndpoint
{
    /// <summary>The appointment now, or as it was at a version or at an instant (only events recorded by then).</summary>
    [WolverineGet("/api/appointments/{appointmentId}")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<AppointmentView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Get(
        string appointmentId, string? asOf, string? version, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var malformed = TimeTravel.Parse(asOf, version, out var travel);
        if (!malformed.IsNone())
        {
            return Results.Problem(malformed);
        }

        var key = StreamKeys.Appointment(appointmentId);
        var appointment = !CallIds.IsValid(appointmentId) ? null
            : travel.IsNow ? await session.LoadAsync<Appointment>(key, ct)
            : await session.Events.AggregateStreamAsync<Appointment>(key, version: travel.Version ?? 0, timestamp: travel.AsOf, token: ct);
        var contract = appointment is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(appointment.ContractId), ct);

        // Marten finds nothing at a version past the end: like an unknown appointment, that is a 404.
        return contract is not null && contract.IsReachableBy(Caller.From(user)) && (travel.Version is null || appointment!.Version == travel.Version)
            ? AppointmentAccess.Ok(appointment!)
            : Results.Problem(Problems.NotFound(travel.IsNow
                ? $"There is no appointment '{appointmentId}'."
                : travel.AsOf is { } at ? $"There was no appointment '{appointmentId}' at {at:O}."
                : $"Appointment '{appointmentId}' has no version {travel.Version}."));
    }

    /// <summary>A contract's appointments by start, optionally only those with a status or booked in a call; a page at a time.</summary>
    [WolverineGet("/api/appointments")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<IReadOnlyList<AppointmentView>>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> List(
        string? contractId, string? status, string? callId, string? limit, string? offset, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        Rules.RequireContractId(contractId, "appointments are listed per contract", errors);
        var (skip, take) = Rules.ParsePage(limit, offset, Limits.MaxPage, errors);

        AppointmentStatus? wanted = null;
        if (status is not null)
        {
            if (status.All(char.IsAsciiLetterLower) && Enum.TryParse<AppointmentStatus>(status, ignoreCase: true, out var parsed))
            {
                wanted = parsed;
            }
            else
            {
                errors["status"] = ["'status' must be one of booked, cancelled, attended, missed."];
            }
        }

        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var contract = await session.LoadAsync<Contract>(StreamKeys.Contract(contractId!), ct);
        var reachable = ContractAccess.MustReach(contract, contractId!, user);
        if (!reachable.IsNone())
        {
            return Results.Problem(reachable);
        }

        var query = session.Query<Appointment>().Where(a => a.ContractId == contractId);
        if (wanted is { } s)
        {
            query = query.Where(a => a.Status == s);
        }

        if (callId is not null)
        {
            query = query.Where(a => a.CallId == callId);
        }

        var appointments = await query.OrderBy(a => a.StartsAt).ThenBy(a => a.AppointmentId).Skip(skip).Take(take).ToListAsync(ct);
        return Results.Ok(appointments.Select(AppointmentView.From).ToList());
    }
}
