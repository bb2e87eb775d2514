using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Cooperation.Api.Reports;

/// <summary>
/// What the reports need of one call, corrections applied: kept by an asynchronous projection of the call
/// streams, one document per call, found by contract and quarter. It holds no personal data (no caller hash,
/// no topic, no agent), so erasing a citizen's data never has to touch it.
/// </summary>
public sealed record CallFacts(string Id, string CallId, string ContractId, string ServiceLine, string Quarter, DateTimeOffset OfferedAt)
{
    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset? AbandonedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public CallOutcome? Outcome { get; init; }

    public int Corrections { get; init; }

    /// <summary>What the reports keep of a call (no personal data).</summary>
    public static CallFacts From(Call call) =>
        new(call.Id, call.CallId, call.ContractId, call.ServiceLine, Infrastructure.Quarter.Of(call.OfferedAt).ToString(), call.OfferedAt)
        {
            AnsweredAt = call.AnsweredAt,
            AbandonedAt = call.AbandonedAt,
            CompletedAt = call.CompletedAt,
            Outcome = call.Outcome,
            Corrections = call.Corrections,
        };

    /// <summary>The call these facts were kept from, without what they leave out; what the call's fold goes on from.</summary>
    public Call ToCall() => new Call(Id, CallId, ContractId, ServiceLine, OfferedAt, null)
    {
        AnsweredAt = AnsweredAt,
        AbandonedAt = AbandonedAt,
        CompletedAt = CompletedAt,
        Outcome = Outcome,
        Corrections = Corrections,
    };

    /// <summary>The projection's fold over events read by hand (the report as known at an instant).</summary>
    public static CallFacts? Fold(IEnumerable<object> events) =>
        Aggregates.Fold<Call>(null, events) is { } call ? From(call) : null;

    /// <summary>The call as the KPI rules count it; its referral was opened at its (corrected) completion.</summary>
    public ReportCall ToReportCall(DateTimeOffset? referralAnsweredAt, bool referralOpened, int appointmentsBooked) => new(
        ServiceLine, OfferedAt, AnsweredAt, AbandonedAt, CompletedAt, Outcome, Corrections > 0, referralOpened, referralAnsweredAt, appointmentsBooked);
}

/// <summary>
/// Keeps <see cref="CallFacts"/> from the call streams through the call's one fold (ADR 14). A correction can
/// replace the department a referral went to, which the facts do not hold, but nothing the facts hold depends on it.
/// </summary>
public sealed class CallFactsProjection : SingleStreamProjection<CallFacts, string>
{
    public CallFactsProjection()
    {
        Name = nameof(CallFacts);
        foreach (var type in Aggregates.EventTypesOf<Call>())
        {
            IncludedEventTypes.Add(type);
        }
    }

    public override CallFacts? Evolve(CallFacts? snapshot, string id, IEvent e) => CallFacts.From(Call.When(snapshot?.ToCall(), e.Data));
}
