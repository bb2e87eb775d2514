using System.Security.Claims;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Appointments;

/// <summary>An appointment's stream, loaded for a change, with the contract it belongs to.</summary>
public sealed record AppointmentContext(IEventStream<Appointment> Stream, Contract? Contract)
{
    public Appointment? Appointment => Stream.Aggregate;
}

public static class AppointmentAccess
{
    /// <summary>Who may book and change appointments: the provider's agents and appointment system, the client city's staff.</summary>
    public const string Writers = $"{Roles.ServiceCentre},{Roles.Department}";

    /// <summary>How far a client's clock may run ahead of ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    public static async Task<AppointmentContext> LoadAsync(IDocumentSession session, string appointmentId, string? contractId, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Appointment>(StreamKeys.Appointment(appointmentId), ct);
        var id = stream.Aggregate?.ContractId ?? contractId;
        var contract = id is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(id), ct);
        return new AppointmentContext(stream, contract);
    }

    /// <summary>404 for an appointment that does not exist or belongs to a contract out of the caller's reach.</summary>
    public static ProblemDetails MustReach(AppointmentContext context, string appointmentId, ClaimsPrincipal user) =>
        context.Appointment is not null && context.Contract is not null && context.Contract.IsReachableBy(Caller.From(user))
            ? Problems.None
            : Problems.NotFound($"There is no appointment '{appointmentId}'.");

    /// <summary>409 for a change to an appointment that was cancelled, attended or missed.</summary>
    public static ProblemDetails MustBeOpen(Appointment appointment) =>
        appointment.IsClosed
            ? Problems.Conflict("status", $"Appointment '{appointment.AppointmentId}' was {Describe(appointment.Status)}: it takes no changes afterwards.")
            : Problems.None;

    /// <summary>409 when a start falls on a day the contract does not cover (Europe/Berlin).</summary>
    public static ProblemDetails MustFallWithinTerm(Contract contract, DateTimeOffset startsAt)
    {
        var day = Berlin.DateOf(startsAt);
        return contract.Covers(day)
            ? Problems.None
            : Problems.Conflict("startsAt", $"Contract '{contract.ContractId}' does not cover {day:yyyy-MM-dd}, the day of 'startsAt'.");
    }

    /// <summary>Appends the change; Wolverine saves it (a lost race runs the request again: <see cref="LostRaces"/>).</summary>
    public static IResult Append(AppointmentContext context, object change, Appointment after)
    {
        context.Stream.AppendOne(change);
        return Ok(after with { Version = context.Appointment!.Version + 1 });
    }

    /// <summary>
    /// Whether an appointment may be recorded as attended or missed: once, and only after it has begun;
    /// the same record again is a retry.
    /// </summary>
    public static ProblemDetails MayRecord(Appointment appointment, AppointmentStatus outcome, TimeProvider clock)
    {
        if (appointment.Status == outcome)
        {
            return Problems.None;
        }

        return MustBeOpen(appointment).Then(() => appointment.StartsAt > clock.GetUtcNow() + ClockSkew
            ? Problems.Conflict("startsAt", $"Appointment '{appointment.AppointmentId}' starts at {appointment.StartsAt:O}: whether it was attended is known only once it has begun.")
            : Problems.None);
    }

    /// <summary>Records the appointment as attended or missed, unless it already is (a retry).</summary>
    public static IResult Record(AppointmentContext context, AppointmentStatus outcome, TimeProvider clock)
    {
        var appointment = context.Appointment!;
        if (appointment.Status == outcome)
        {
            return Ok(appointment);
        }

        var now = clock.GetUtcNow();
        var (change, after) = outcome == AppointmentStatus.Attended
            ? Recorded(new AppointmentAttended(appointment.AppointmentId, now), appointment.Apply)
            : Recorded(new AppointmentMissed(appointment.AppointmentId, now), appointment.Apply);
        return Append(context, change, after);
    }

    private static (object Change, Appointment After) Recorded<TEvent>(TEvent change, Func<TEvent, Appointment> apply)
        where TEvent : notnull => (change, apply(change));

    public static IResult Ok(Appointment appointment) => Results.Ok(AppointmentView.From(appointment));

    private static string Describe(AppointmentStatus status) => status switch
    {
        AppointmentStatus.Cancelled => "cancelled",
        AppointmentStatus.Attended => "recorded as attended",
        AppointmentStatus.Missed => "recorded as missed",
        _ => "booked",
    };
}
