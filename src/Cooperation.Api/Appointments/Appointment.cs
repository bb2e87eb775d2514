using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Appointments;

public enum AppointmentStatus { Booked, Cancelled, Attended, Missed }

// ---- Events of the Appointment stream (key: "appointment:{appointmentId}") ----

/// <summary><c>CallId</c> is the call it was booked in, if it was booked on the phone.</summary>
public sealed record AppointmentBooked(
    string AppointmentId, string ContractId, string? CallId, string Service, DateTimeOffset StartsAt, DateTimeOffset BookedAt) : IStreamEvent<Appointment>;

public sealed record AppointmentRescheduled(string AppointmentId, DateTimeOffset StartsAt, DateTimeOffset RescheduledAt) : IStreamEvent<Appointment>;

public sealed record AppointmentCancelled(string AppointmentId, string? Reason, DateTimeOffset CancelledAt) : IStreamEvent<Appointment>;

public sealed record AppointmentAttended(string AppointmentId, DateTimeOffset RecordedAt) : IStreamEvent<Appointment>;

public sealed record AppointmentMissed(string AppointmentId, DateTimeOffset RecordedAt) : IStreamEvent<Appointment>;

// ---- The aggregate ----

/// <summary>
/// An appointment's state, also kept inline for lists. <c>BookedFor</c> is the start as
/// first booked: a retry of the booking is compared with it, not with a later rescheduled start.
/// </summary>
public sealed record Appointment(
    string Id,
    string AppointmentId,
    string ContractId,
    string? CallId,
    string Service,
    DateTimeOffset BookedFor,
    DateTimeOffset StartsAt,
    AppointmentStatus Status,
    DateTimeOffset BookedAt,
    DateTimeOffset? RescheduledAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    DateTimeOffset? RecordedAt) : IAggregate<Appointment>
{
    public long Version { get; init; }

    /// <summary>Cancelled, attended or missed: nothing changes afterwards.</summary>
    public bool IsClosed => Status != AppointmentStatus.Booked;

    public Appointment AtVersion(long version) => this with { Version = version };

    /// <summary>The one fold of an appointment's events (ADR 14).</summary>
    public static Appointment When(Appointment? appointment, object @event) => (appointment, @event) switch
    {
        (null, AppointmentBooked e) => new(
            StreamKeys.Appointment(e.AppointmentId), e.AppointmentId, e.ContractId, e.CallId, e.Service,
            e.StartsAt, e.StartsAt, AppointmentStatus.Booked, e.BookedAt, null, null, null, null),
        ({ } a, AppointmentRescheduled e) => a with { StartsAt = e.StartsAt, RescheduledAt = e.RescheduledAt },
        ({ } a, AppointmentCancelled e) => a with { Status = AppointmentStatus.Cancelled, CancelledAt = e.CancelledAt, CancellationReason = e.Reason },
        ({ } a, AppointmentAttended e) => a with { Status = AppointmentStatus.Attended, RecordedAt = e.RecordedAt },
        ({ } a, AppointmentMissed e) => a with { Status = AppointmentStatus.Missed, RecordedAt = e.RecordedAt },
        _ => throw new UnknownEventException(typeof(Appointment), @event),
    };
}

/// <summary>An appointment as the API shows it; <c>RecordedAt</c> is when it was recorded as attended or missed.</summary>
public sealed record AppointmentView(
    string AppointmentId,
    string StreamId,
    long Version,
    AppointmentStatus Status,
    string ContractId,
    string? CallId,
    string Service,
    DateTimeOffset StartsAt,
    DateTimeOffset BookedAt,
    DateTimeOffset? RescheduledAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    DateTimeOffset? RecordedAt)
{
    public static AppointmentView From(Appointment a) => new(
        a.AppointmentId, a.Id, a.Version, a.Status, a.ContractId, a.CallId, a.Service, a.StartsAt,
        a.BookedAt, a.RescheduledAt, a.CancelledAt, a.CancellationReason, a.RecordedAt);
}
