namespace Cooperation.Api.Calls;

public enum CallOutcome { Resolved, AppointmentBooked, Referred, CallbackPromised }

public enum CallStatus { Offered, Answered, Abandoned, Completed }

// ---- Events of the Call stream (key: "call:{callId}", the telephony system's id) ----

/// <summary><c>CallerHash</c> is the keyed hash of the caller's number (never the number itself).</summary>
public sealed record CallOffered(string CallId, string ContractId, string ServiceLine, DateTimeOffset OfferedAt, string? CallerHash);

public sealed record CallAnswered(string CallId, DateTimeOffset AnsweredAt, string AgentId);

public sealed record CallAbandoned(string CallId, DateTimeOffset AbandonedAt);

// ---- The aggregate ----

public sealed record Call(
    string Id,
    string CallId,
    string ContractId,
    string ServiceLine,
    DateTimeOffset OfferedAt,
    string? CallerHash,
    DateTimeOffset? AnsweredAt,
    string? AgentId,
    DateTimeOffset? AbandonedAt)
{
    public long Version { get; init; }

    public CallStatus Status => AnsweredAt is not null ? CallStatus.Answered
        : AbandonedAt is not null ? CallStatus.Abandoned
        : CallStatus.Offered;

    public static Call Create(CallOffered e) =>
        new(Infrastructure.StreamKeys.Call(e.CallId), e.CallId, e.ContractId, e.ServiceLine, e.OfferedAt, e.CallerHash, null, null, null);

    public Call Apply(CallAnswered e) => this with { AnsweredAt = e.AnsweredAt, AgentId = e.AgentId };

    public Call Apply(CallAbandoned e) => this with { AbandonedAt = e.AbandonedAt };
}

/// <summary>A call as the API shows it.</summary>
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
    DateTimeOffset? AbandonedAt)
{
    public static CallView From(Call call) => new(
        call.CallId, call.Id, call.Version, call.Status, call.ContractId, call.ServiceLine, call.OfferedAt,
        call.CallerHash is not null, call.AnsweredAt, call.AgentId, call.AbandonedAt);
}
