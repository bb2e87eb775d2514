using System.Text.Json;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Calls;

public enum CallOutcome { Resolved, AppointmentBooked, Referred, CallbackPromised }

public enum CallStatus { Offered, Answered, Abandoned, Completed }

public static class CallOutcomes
{
    /// <summary>Outcomes that leave the citizen waiting for an answer: they open a referral.</summary>
    public static bool OpensReferral(this CallOutcome outcome) =>
        outcome is CallOutcome.Referred or CallOutcome.CallbackPromised;

    /// <summary>The outcome as the API spells it.</summary>
    public static string Name(this CallOutcome outcome) => JsonNamingPolicy.KebabCaseLower.ConvertName(outcome.ToString());
}

// ---- Events of the Call stream (key: "call:{callId}", the telephony system's id) ----

/// <summary><c>CallerHash</c> is the keyed hash of the caller's number (never the number itself).</summary>
public sealed record CallOffered(string CallId, string ContractId, string ServiceLine, DateTimeOffset OfferedAt, string? CallerHash) : IStreamEvent<Call>;

public sealed record CallAnswered(string CallId, DateTimeOffset AnsweredAt, string AgentId) : IStreamEvent<Call>;

public sealed record CallAbandoned(string CallId, DateTimeOffset AbandonedAt) : IStreamEvent<Call>;

/// <summary>
/// <c>Topic</c> is short free text about the citizen's concern (erasable personal data, domain §5).
/// <c>ReferralId</c> names the referral this completion opened, in the same transaction.
/// </summary>
public sealed record CallCompleted(
    string CallId, DateTimeOffset CompletedAt, CallOutcome Outcome, string? Topic, string? Department, string? ReferralId, string? AppointmentId) : IStreamEvent<Call>;

/// <summary>
/// Replaces recorded values after the fact; null fields stay as they were. The original events stay in the
/// stream. <c>ReferralId</c> is set when the correction turned the call into a referral and opened one.
/// </summary>
public sealed record CallRecordCorrected(
    string CallId,
    string Reason,
    DateTimeOffset CorrectedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? AbandonedAt,
    DateTimeOffset? CompletedAt,
    CallOutcome? Outcome,
    string? Department,
    string? ReferralId) : IStreamEvent<Call>;

// ---- The aggregate ----

public sealed record Call(
    string Id,
    string CallId,
    string ContractId,
    string ServiceLine,
    DateTimeOffset OfferedAt,
    string? CallerHash) : IAggregate<Call>
{
    public long Version { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public string? AgentId { get; init; }

    public DateTimeOffset? AbandonedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public CallOutcome? Outcome { get; init; }

    public string? Topic { get; init; }

    public string? Department { get; init; }

    public string? ReferralId { get; init; }

    public string? AppointmentId { get; init; }

    public int Corrections { get; init; }

    public CallStatus Status => CompletedAt is not null ? CallStatus.Completed
        : AnsweredAt is not null ? CallStatus.Answered
        : AbandonedAt is not null ? CallStatus.Abandoned
        : CallStatus.Offered;

    public Call AtVersion(long version) => this with { Version = version };

    /// <summary>The one fold of a call's events (ADR 14). A correction replaces the values it names.</summary>
    public static Call When(Call? call, object @event) => (call, @event) switch
    {
        (null, CallOffered e) => new(StreamKeys.Call(e.CallId), e.CallId, e.ContractId, e.ServiceLine, e.OfferedAt, e.CallerHash),
        ({ } c, CallAnswered e) => c with { AnsweredAt = e.AnsweredAt, AgentId = e.AgentId },
        ({ } c, CallAbandoned e) => c with { AbandonedAt = e.AbandonedAt },
        ({ } c, CallCompleted e) => c with
        {
            CompletedAt = e.CompletedAt,
            Outcome = e.Outcome,
            Topic = e.Topic,
            Department = e.Department,
            ReferralId = e.ReferralId,
            AppointmentId = e.AppointmentId,
        },
        ({ } c, CallRecordCorrected e) => c with
        {
            AnsweredAt = e.AnsweredAt ?? c.AnsweredAt,
            AbandonedAt = e.AbandonedAt ?? c.AbandonedAt,
            CompletedAt = e.CompletedAt ?? c.CompletedAt,
            Outcome = e.Outcome ?? c.Outcome,
            Department = e.Department ?? c.Department,
            ReferralId = e.ReferralId ?? c.ReferralId,
            Corrections = c.Corrections + 1,
        },
        _ => throw new UnknownEventException(typeof(Call), @event),
    };
}

/// <summary>A call as the API shows it: its current values, corrections applied.</summary>
public sealed record CallView(
    string CallId,
    string StreamId,
    long Version,
    CallStatus Status,
    string ContractId,
    string ServiceLine,
    DateTimeOffset OfferedAt,
    bool CallerKnown,
    DateTimeOffset? AnsweredAt,
    string? AgentId,
    DateTimeOffset? AbandonedAt,
    DateTimeOffset? CompletedAt,
    CallOutcome? Outcome,
    string? Topic,
    string? Department,
    string? ReferralId,
    string? AppointmentId,
    int Corrections)
{
    public static CallView From(Call call) => new(
        call.CallId, call.Id, call.Version, call.Status, call.ContractId, call.ServiceLine, call.OfferedAt,
        call.CallerHash is not null and not CallerErasure.Erased, call.AnsweredAt, call.AgentId, call.AbandonedAt,
        call.CompletedAt, call.Outcome, call.Topic, call.Department, call.ReferralId, call.AppointmentId, call.Corrections);
}
