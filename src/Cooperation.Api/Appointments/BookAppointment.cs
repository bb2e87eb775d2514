using System.Security.Claims;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

/// <summary>
/// An appointment booked on a contract, by the provider's agents or appointment system or by the client city's
/// staff; <c>CallId</c> when it was booked in a call. <c>Service</c> is what the citizen comes for.
/// </summary>
public sealed record BookAppointment(string? AppointmentId, string? ContractId, string? CallId, string? Service, DateTimeOffset? StartsAt)
{
    public sealed class Validator : AbstractValidator<BookAppointment>
    {
        public Validator()
        {
            RuleFor(x => x.AppointmentId).Must(CallIds.IsValid).When(x => x.AppointmentId is not null)
                .WithMessage("'appointmentId' must be 1–100 letters, digits or '.', '_', ':', '-'.");
            RuleFor(x => x.ContractId).NotEmpty().KebabCaseId();
            RuleFor(x => x.CallId).Must(CallIds.IsValid).When(x => x.CallId is not null).WithMessage(CallIds.Rule);
            RuleFor(x => x.Service).NotEmpty().MaximumLength(200);
            RuleFor(x => x.StartsAt).NotNull().PlausibleInstant();
        }
    }
}

/// <summary>The appointment's stream (under the given or a new id), and the call it was booked in, if any.</summary>
public sealed record Booking(string AppointmentId, AppointmentContext Context, Call? Call, Contract? CallsContract);

public static class BookAppointmentEndpoint
{
    public static async Task<Booking> LoadAsync(BookAppointment command, IDocumentSession session, CancellationToken ct)
    {
        var appointmentId = command.AppointmentId ?? "apt-" + Guid.NewGuid().ToString("N");
        var context = await AppointmentAccess.LoadAsync(session, appointmentId, command.ContractId, ct);
        var call = command.CallId is null ? null : await session.Events.AggregateStreamAsync<Call>(StreamKeys.Call(command.CallId), token: ct);
        var callsContract = call is null ? null
            : call.ContractId == context.Contract?.ContractId ? context.Contract
            : await session.LoadAsync<Contract>(StreamKeys.Contract(call.ContractId), ct);
        return new Booking(appointmentId, context, call, callsContract);
    }

    public static ProblemDetails Validate(BookAppointment command, Booking booking, ClaimsPrincipal user)
    {
        var contract = booking.Context.Contract;
        if (contract is null || !contract.IsReachableBy(Caller.From(user)))
        {
            return Problems.NotFound("contractId", $"There is no contract '{command.ContractId}'.");
        }

        if (booking.Context.Appointment is { } recorded)
        {
            return Differences(recorded, command) is { Count: > 0 } differences
                ? Problems.Conflict(differences)
                : Problems.None; // a retry: answered in Post
        }

        return AppointmentAccess.MustFallWithinTerm(contract, command.StartsAt!.Value)
            .Then(() => command.CallId is null ? Problems.None : MustComeFromTheCall(command, booking, user));
    }

    private static ProblemDetails MustComeFromTheCall(BookAppointment command, Booking booking, ClaimsPrincipal user)
    {
        var call = booking.Call;
        if (call is null || booking.CallsContract is null || !booking.CallsContract.IsReachableBy(Caller.From(user)))
        {
            return Problems.NotFound("callId", $"There is no call '{command.CallId}'.");
        }

        if (call.ContractId != command.ContractId)
        {
            return Problems.Conflict("callId", $"Call '{call.CallId}' was taken on contract '{call.ContractId}', not on '{command.ContractId}'.");
        }

        if (call.AnsweredAt is null)
        {
            return Problems.Conflict("callId", call.AbandonedAt is { } abandoned
                ? $"Call '{call.CallId}' was abandoned at {abandoned:O}: an appointment is booked only in an answered call."
                : $"Call '{call.CallId}' has not been answered: an appointment is booked only in an answered call.");
        }

        var closed = CallDecider.MustBeOpen(booking.CallsContract, call);
        if (!closed.IsNone())
        {
            return closed;
        }

        // A call in which an appointment is booked has, or later gets, the outcome 'appointment-booked'.
        return call.Outcome is { } outcome && outcome != CallOutcome.AppointmentBooked
            ? Problems.Conflict("callId",
                $"Call '{call.CallId}' was completed as '{outcome.Name()}'; an appointment booked in it needs the outcome 'appointment-booked' (correct the call first).")
            : Problems.None;
    }

    [WolverinePost("/api/appointments")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    public static IResult Post(BookAppointment command, Booking booking, TimeProvider clock)
    {
        if (booking.Context.Appointment is { } recorded)
        {
            return AppointmentAccess.Ok(recorded); // identical retry: nothing new to store
        }

        var booked = new AppointmentBooked(
            booking.AppointmentId, command.ContractId!, command.CallId, command.Service!, command.StartsAt!.Value, clock.GetUtcNow());
        booking.Context.Stream.AppendOne(booked);
        var appointment = Appointment.Create(booked) with { Version = 1 };
        return Results.Created($"/api/appointments/{booking.AppointmentId}", AppointmentView.From(appointment));
    }

    /// <summary>What a repeat of the booking says differently from what was booked, by field.</summary>
    private static Dictionary<string, string[]> Differences(Appointment recorded, BookAppointment command)
    {
        var differences = new Dictionary<string, string[]>();
        var id = recorded.AppointmentId;
        if (recorded.ContractId != command.ContractId)
        {
            differences["contractId"] = [$"Appointment '{id}' was booked on contract '{recorded.ContractId}'."];
        }

        if (recorded.CallId != command.CallId)
        {
            differences["callId"] = [recorded.CallId is null ? $"Appointment '{id}' was booked without a call." : $"Appointment '{id}' was booked in call '{recorded.CallId}'."];
        }

        if (recorded.Service != command.Service)
        {
            differences["service"] = [$"Appointment '{id}' was booked for '{recorded.Service}'."];
        }

        if (recorded.BookedFor != command.StartsAt)
        {
            differences["startsAt"] = [$"Appointment '{id}' was booked to start at {recorded.BookedFor:O}."];
        }

        return differences;
    }
}
