using Cooperation.Api.Calls;

namespace Cooperation.Api.Referrals;

public enum ReferralStatus { Open, Accepted, Answered, Returned }

// ---- Events of the Referral stream (key: "referral:{referralId}") ----

/// <summary>
/// Opened by a call completed as <c>referred</c> or <c>callback-promised</c>, in the same transaction;
/// <c>OpenedAt</c> is the call's completion.
/// </summary>
public sealed record ReferralOpened(
    string ReferralId, string CallId, string ContractId, string ServiceLine, string Department, CallOutcome Outcome, DateTimeOffset OpenedAt);

public sealed record ReferralAccepted(string ReferralId, DateTimeOffset AcceptedAt);

/// <summary>The citizen got the answer: the clock of "answered within 24 service hours" stops here.</summary>
public sealed record ReferralAnswered(string ReferralId, DateTimeOffset AnsweredAt);

/// <summary>The department hands the referral back (not theirs, not answerable), with a reason.</summary>
public sealed record ReferralReturned(string ReferralId, DateTimeOffset ReturnedAt, string Reason);

/// <summary>A correction of the call named another department: the referral is open again, there.</summary>
public sealed record ReferralReassigned(string ReferralId, string Department, DateTimeOffset ReassignedAt, string Reason);

// ---- The aggregate (inline snapshot, for the work queue) ----

public sealed record Referral(
    string Id,
    string ReferralId,
    string CallId,
    string ContractId,
    string ServiceLine,
    string Department,
    CallOutcome Outcome,
    DateTimeOffset OpenedAt)
{
    public long Version { get; init; }

    public ReferralStatus Status { get; init; }

    public DateTimeOffset? AcceptedAt { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset? ReturnedAt { get; init; }

    public string? ReturnReason { get; init; }

    public bool IsClosed => Status is ReferralStatus.Answered or ReferralStatus.Returned;

    public static Referral Create(ReferralOpened e) =>
        new(Infrastructure.StreamKeys.Referral(e.ReferralId), e.ReferralId, e.CallId, e.ContractId, e.ServiceLine, e.Department, e.Outcome, e.OpenedAt);

    public Referral Apply(ReferralAccepted e) => this with { Status = ReferralStatus.Accepted, AcceptedAt = e.AcceptedAt };

    public Referral Apply(ReferralAnswered e) => this with { Status = ReferralStatus.Answered, AnsweredAt = e.AnsweredAt };

    public Referral Apply(ReferralReturned e) => this with { Status = ReferralStatus.Returned, ReturnedAt = e.ReturnedAt, ReturnReason = e.Reason };

    public Referral Apply(ReferralReassigned e) => this with
    {
        Department = e.Department,
        Status = ReferralStatus.Open,
        AcceptedAt = null,
        ReturnedAt = null,
        ReturnReason = null,
    };

    /// <summary>Applies one event in memory, as Marten would, for the answer to a write.</summary>
    public Referral Then(object change) => change switch
    {
        ReferralAccepted e => Apply(e),
        ReferralAnswered e => Apply(e),
        ReferralReturned e => Apply(e),
        ReferralReassigned e => Apply(e),
        _ => this,
    } with { Version = Version + 1 };
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
