using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Appointments;

/// <summary>
/// What a decision on an appointment is made on besides the command: the appointment (null when there is none
/// under the id), its contract (for a new booking: the contract it names), who asks and the time.
/// </summary>
public sealed record AppointmentSituation(string AppointmentId, Appointment? Appointment, Contract? Contract, Caller Caller, DateTimeOffset Now)
{
    /// <summary>The call a booking names (null: none named, or there is no such call).</summary>
    public Call? Call { get; init; }

    /// <summary>The contract of <see cref="Call"/>.</summary>
    public Contract? CallsContract { get; init; }
}

/// <summary>
/// The rules of an appointment's stream, each in one place (ADR 14): a pure function of the command and the
/// situation, giving the event to store, "already recorded", or a problem.
/// </summary>
public static class AppointmentDecider
{
    public static Decision Book(BookAppointment command, AppointmentSituation s)
    {
        var contract = s.Contract;
        if (contract is null || !contract.IsReachableBy(s.Caller))
        {
            return Decision.Refuse(Problems.NotFound("contractId", $"There is no contract '{command.ContractId}'."));
        }

        if (s.Appointment is { } recorded)
        {
            return BookingDifferences(recorded, command) is { Count: > 0 } differences
                ? Decision.Refuse(Problems.Conflict(differences))
                : Decision.AlreadyRecorded;
        }

        var startsAt = command.StartsAt!.Value;
        return Decision.Unless(
            MustFallWithinTerm(contract, startsAt).Then(() => command.CallId is null ? Problems.None : MustComeFromTheCall(command, s)),
            () => Decision.Start<Appointment>(StreamKeys.Appointment(s.AppointmentId),
                new AppointmentBooked(s.AppointmentId, command.ContractId!, command.CallId, command.Service!, startsAt, s.Now)));
    }

    /// <summary>Moving it to where it already is asks for nothing new: a retry, whatever has happened since.</summary>
    public static Decision Reschedule(RescheduleAppointment command, AppointmentSituation s) => OnReachableAppointment(s, appointment =>
        appointment.StartsAt == command.StartsAt
            ? Decision.AlreadyRecorded
            : Decision.Unless(
                MustBeOpen(appointment).Then(() => MustFallWithinTerm(s.Contract!, command.StartsAt!.Value)),
                () => Decision.Append(appointment.Id, new AppointmentRescheduled(appointment.AppointmentId, command.StartsAt!.Value, s.Now))));

    public static Decision Cancel(CancelAppointment command, AppointmentSituation s) => OnReachableAppointment(s, appointment =>
    {
        if (appointment.Status == AppointmentStatus.Cancelled)
        {
            return appointment.CancellationReason == command.Reason
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict(new Dictionary<string, string[]>
                {
                    ["reason"] = [$"Appointment '{appointment.AppointmentId}' was cancelled at {appointment.CancelledAt:O} with another reason."],
                }));
        }

        return Decision.Unless(MustBeOpen(appointment),
            () => Decision.Append(appointment.Id, new AppointmentCancelled(appointment.AppointmentId, command.Reason, s.Now)));
    });

    // The command is empty (the server's clock says when): it names the decision.
    public static Decision RecordAttended(RecordAppointmentAttended command, AppointmentSituation s) =>
        Record(s, AppointmentStatus.Attended, a => new AppointmentAttended(a.AppointmentId, s.Now));

    public static Decision RecordMissed(RecordAppointmentMissed command, AppointmentSituation s) =>
        Record(s, AppointmentStatus.Missed, a => new AppointmentMissed(a.AppointmentId, s.Now));

    /// <summary>
    /// An appointment is recorded as attended or missed once, and only after it has begun; the same record again
    /// is a retry.
    /// </summary>
    private static Decision Record(AppointmentSituation s, AppointmentStatus outcome, Func<Appointment, object> recorded) =>
        OnReachableAppointment(s, appointment =>
            appointment.Status == outcome
                ? Decision.AlreadyRecorded
                : Decision.Unless(
                    MustBeOpen(appointment).Then(() => appointment.StartsAt > s.Now + BusinessTime.ClockSkew
                        ? Problems.Conflict("startsAt",
                            $"Appointment '{appointment.AppointmentId}' starts at {appointment.StartsAt:O}: whether it was attended is known only once it has begun.")
                        : Problems.None),
                    () => Decision.Append(appointment.Id, recorded(appointment))));

    /// <summary>404 for an appointment that does not exist or belongs to a contract out of the caller's reach.</summary>
    private static Decision OnReachableAppointment(AppointmentSituation s, Func<Appointment, Decision> decide) =>
        s.Appointment is { } appointment && s.Contract is { } contract && contract.IsReachableBy(s.Caller)
            ? decide(appointment)
            : Decision.Refuse(Problems.NotFound($"There is no appointment '{s.AppointmentId}'."));

    /// <summary>409 for a change to an appointment that was cancelled, attended or missed.</summary>
    private static ProblemDetails MustBeOpen(Appointment appointment) =>
        appointment.IsClosed
            ? Problems.Conflict("status", $"Appointment '{appointment.AppointmentId}' was {Describe(appointment.Status)}: it takes no changes afterwards.")
            : Problems.None;

    /// <summary>409 when a start falls on a day the contract does not cover (Europe/Berlin).</summary>
    private static ProblemDetails MustFallWithinTerm(Contract contract, DateTimeOffset startsAt)
    {
        var day = Berlin.DateOf(startsAt);
        return contract.Covers(day)
            ? Problems.None
            : Problems.Conflict("startsAt", $"Contract '{contract.ContractId}' does not cover {day:yyyy-MM-dd}, the day of 'startsAt'.");
    }

    /// <summary>
    /// An appointment booked in a call: the call exists within the caller's reach, on the booking's contract, was
    /// answered, is not in an invoiced quarter, and has, or later gets, the outcome 'appointment-booked'.
    /// </summary>
    private static ProblemDetails MustComeFromTheCall(BookAppointment command, AppointmentSituation s)
    {
        if (s.Call is not { } call || s.CallsContract is not { } callsContract || !callsContract.IsReachableBy(s.Caller))
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

        return CallDecider.MustBeOpen(callsContract, call).Then(() => call.Outcome is { } outcome && outcome != CallOutcome.AppointmentBooked
            ? Problems.Conflict("callId",
                $"Call '{call.CallId}' was completed as '{outcome.Name()}'; an appointment booked in it needs the outcome 'appointment-booked' (correct the call first).")
            : Problems.None);
    }

    /// <summary>What a repeat of the booking says differently from what was booked, by field.</summary>
    private static Dictionary<string, string[]> BookingDifferences(Appointment recorded, BookAppointment command)
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

    private static string Describe(AppointmentStatus status) => status switch
    {
        AppointmentStatus.Cancelled => "cancelled",
        AppointmentStatus.Attended => "recorded as attended",
        AppointmentStatus.Missed => "recorded as missed",
        _ => "booked",
    };
}
