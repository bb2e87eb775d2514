using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Reports;

/// <summary>
/// What the report projection keeps of one call: its values with corrections applied (through the call's one fold),
/// what its referral and appointments add, and when the first and the last event that reached it were recorded
/// (so a report as known at an instant re-reads only the calls that changed since). No personal data.
/// </summary>
public sealed record ReportRow(
    string Id,
    string ContractId,
    string Quarter,
    string ServiceLine,
    DateTimeOffset OfferedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? AbandonedAt,
    DateTimeOffset? CompletedAt,
    CallOutcome? Outcome,
    int Corrections,
    string? ReferralId,
    DateTimeOffset? ReferralAnsweredAt,
    int Appointments,
    DateTimeOffset FirstRecorded,
    DateTimeOffset LastRecorded)
{
    public static ReportRow Offered(CallOffered e, DateTimeOffset recorded) => new(
        StreamKeys.Call(e.CallId), e.ContractId, Infrastructure.Quarter.Of(e.OfferedAt).ToString(), e.ServiceLine, e.OfferedAt,
        null, null, null, null, 0, null, null, 0, recorded, recorded);

    /// <summary>A later event of the call, through <see cref="Call.When"/>: what the reports count is what the call says.</summary>
    public ReportRow Then(object @event)
    {
        var call = Call.When(new Call(Id, string.Empty, ContractId, ServiceLine, OfferedAt, null)
        {
            AnsweredAt = AnsweredAt,
            AbandonedAt = AbandonedAt,
            CompletedAt = CompletedAt,
            Outcome = Outcome,
            Corrections = Corrections,
        }, @event);
        return this with
        {
            AnsweredAt = call.AnsweredAt,
            AbandonedAt = call.AbandonedAt,
            CompletedAt = call.CompletedAt,
            Outcome = call.Outcome,
            Corrections = call.Corrections,
        };
    }

    public ReportRow RecordedAt(DateTimeOffset recorded) => recorded > LastRecorded ? this with { LastRecorded = recorded } : this;

    public ReportCall ToReportCall() => new(
        ServiceLine, OfferedAt, AnsweredAt, AbandonedAt, CompletedAt, Outcome, Corrections > 0, ReferralId is not null, ReferralAnsweredAt, Appointments);

    public Contribution ContributionUnder(Contract contract, ServiceCalendar calendar) =>
        Contribution.Of(ToReportCall(), calendar, contract.KpiSettingsOn);
}

/// <summary>From which day a change of the contract alters what its calls contribute, if it does.</summary>
public static class ContractReach
{
    public static DateOnly? Of(Contract? before, Contract after)
    {
        if (before is null)
        {
            return null;
        }

        if (before.Client.State != after.Client.State
            || !before.OpeningHoursPeriods.SequenceEqual(after.OpeningHoursPeriods)
            || !before.ClosureDays.Order().SequenceEqual(after.ClosureDays.Order()))
        {
            // The calendar also runs the clock of referrals opened long before: every quarter is reached.
            return DateOnly.MinValue;
        }

        // Thresholds apply by the day a call was offered: only days from the earliest changed period on move.
        var changed = before.KpiSettings.Except(after.KpiSettings).Concat(after.KpiSettings.Except(before.KpiSettings)).ToList();
        if (changed.Count == 0)
        {
            return null;
        }

        // The first period also applies to any day before it.
        var from = changed.Min(k => k.EffectiveFrom);
        return from <= before.KpiSettings[0].EffectiveFrom || from <= after.KpiSettings[0].EffectiveFrom ? DateOnly.MinValue : from;
    }
}
