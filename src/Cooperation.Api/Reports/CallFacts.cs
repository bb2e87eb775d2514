using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;

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

    public static CallFacts Create(CallOffered e) =>
        new(StreamKeys.Call(e.CallId), e.CallId, e.ContractId, e.ServiceLine, Infrastructure.Quarter.Of(e.OfferedAt).ToString(), e.OfferedAt);

    public CallFacts Apply(CallAnswered e) => this with { AnsweredAt = e.AnsweredAt };

    public CallFacts Apply(CallAbandoned e) => this with { AbandonedAt = e.AbandonedAt };

    public CallFacts Apply(CallCompleted e) => this with { CompletedAt = e.CompletedAt, Outcome = e.Outcome };

    public CallFacts Apply(CallRecordCorrected e) => this with
    {
        AnsweredAt = e.AnsweredAt ?? AnsweredAt,
        AbandonedAt = e.AbandonedAt ?? AbandonedAt,
        CompletedAt = e.CompletedAt ?? CompletedAt,
        Outcome = e.Outcome ?? Outcome,
        Corrections = Corrections + 1,
    };

    /// <summary>The same fold as the projection's, over events read by hand (the report as known at an instant).</summary>
    public static CallFacts? Fold(IEnumerable<object> events) => events.Aggregate((CallFacts?)null, (facts, e) => (facts, e) switch
    {
        (null, CallOffered offered) => Create(offered),
        ({ } f, CallAnswered answered) => f.Apply(answered),
        ({ } f, CallAbandoned abandoned) => f.Apply(abandoned),
        ({ } f, CallCompleted completed) => f.Apply(completed),
        ({ } f, CallRecordCorrected corrected) => f.Apply(corrected),
        _ => facts,
    });

    /// <summary>The call as the KPI rules count it; its referral was opened at its (corrected) completion.</summary>
    public ReportCall ToReportCall(DateTimeOffset? referralAnsweredAt, bool referralOpened, int appointmentsBooked) => new(
        ServiceLine, OfferedAt, AnsweredAt, AbandonedAt, CompletedAt, Outcome, Corrections > 0, referralOpened, referralAnsweredAt, appointmentsBooked);
}
