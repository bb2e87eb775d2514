using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Referrals;

public enum ReferralStatus { Open, Accepted, Answered, Returned }

// ---- Events of the Referral stream (key: "referral:{referralId}") ----

/// <summary>
/// Opened by a call completed as <c>referred</c> or <c>callback-promised</c>, in the same transaction;
/// <c>OpenedAt</c> is the call's completion.
/// </summary>
public sealed record ReferralOpened(
    string ReferralId, string CallId, string ContractId, string ServiceLine, string Department, CallOutcome Outcome, DateTimeOffset OpenedAt) : IStreamEvent<Referral>;

public sealed record ReferralAccepted(string ReferralId, DateTimeOffset AcceptedAt) : IStreamEvent<Referral>;

/// <summary>The citizen got the answer: the clock of "answered within 24 service hours" stops here.</summary>
public sealed record ReferralAnswered(string ReferralId, DateTimeOffset AnsweredAt) : IStreamEvent<Referral>;

/// <summary>The department hands the referral back (not theirs, not answerable), with a reason.</summary>
public sealed record ReferralReturned(string ReferralId, DateTimeOffset ReturnedAt, string Reason) : IStreamEvent<Referral>;

/// <summary>A correction of the call named another department: the referral is open again, there.</summary>
public sealed record ReferralReassigned(string ReferralId, string Department, DateTimeOffset ReassignedAt, string Reason) : IStreamEvent<Referral>;

// ---- The aggregate (kept inline, for the work queue) ----

public sealed record Referral(
    string Id,
    string ReferralId,
    string CallId,
    string ContractId,
    string ServiceLine,
    string Department,
    CallOutcome Outcome,
    DateTimeOffset OpenedAt) : IAggregate<Referral>
{
    public long Version { get; init; }

    public ReferralStatus Status { get; init; }

    public DateTimeOffset? AcceptedAt { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset? ReturnedAt { get; init; }

    public string? ReturnReason { get; init; }

    public bool IsClosed => Status is ReferralStatus.Answered or ReferralStatus.Returned;

    public Referral AtVersion(long version) => this with { Version = version };

    /// <summary>The one fold of a referral's events (ADR 14). A reassignment opens it again, at the new department.</summary>
    public static Referral When(Referral? referral, object @event) => (referral, @event) switch
    {
        (null, ReferralOpened e) => new(StreamKeys.Referral(e.ReferralId), e.ReferralId, e.CallId, e.ContractId, e.ServiceLine, e.Department, e.Outcome, e.OpenedAt),
        ({ } r, ReferralAccepted e) => r with { Status = ReferralStatus.Accepted, AcceptedAt = e.AcceptedAt },
        ({ } r, ReferralAnswered e) => r with { Status = ReferralStatus.Answered, AnsweredAt = e.AnsweredAt },
        ({ } r, ReferralReturned e) => r with { Status = ReferralStatus.Returned, ReturnedAt = e.ReturnedAt, ReturnReason = e.Reason },
        ({ } r, ReferralReassigned e) => r with
        {
            Department = e.Department,
            Status = ReferralStatus.Open,
            AcceptedAt = null,
            ReturnedAt = null,
            ReturnReason = null,
        },
        _ => throw new UnknownEventException(typeof(Referral), @event),
    };
}

public sealed record ReferralView(
    string ReferralId,
    string StreamId,
    long Version,
    ReferralStatus Status,
    string CallId,
    string ContractId,
    string ServiceLine,
    string Department,
    CallOutcome Outcome,
    DateTimeOffset OpenedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? ReturnedAt,
    string? ReturnReason)
{
    public static ReferralView From(Referral r) => new(
        r.ReferralId, r.Id, r.Version, r.Status, r.CallId, r.ContractId, r.ServiceLine, r.Department, r.Outcome,
        r.OpenedAt, r.AcceptedAt, r.AnsweredAt, r.ReturnedAt, r.ReturnReason);
}
