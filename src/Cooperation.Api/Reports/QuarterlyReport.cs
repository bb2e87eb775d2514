using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Reports;

public sealed record CostFigures(decimal FeeDue, decimal? PerOfferedCall, decimal? PerAnsweredCall, decimal? PerSettledCall);

/// <summary>KPI settings in force on part of the quarter; thresholds apply to each call by the day it was offered.</summary>
public sealed record SettingsPeriod(DateOnly From, DateOnly To, KpiSettings Settings);

/// <summary>
/// How current the figures are: the projection of calls has processed every event up to
/// <c>UpToSequence</c> of <c>LatestSequence</c> recorded so far.
/// </summary>
public sealed record ReportCurrency(long UpToSequence, long LatestSequence);

/// <summary>
/// The quarterly report of a contract (domain §2, api.md "Reports"). <c>Settings</c> are those in force on the
/// quarter's last day of the contract (they give the targets); <c>SettingsPeriods</c> lists each part of the
/// quarter with the settings that applied to its calls.
/// </summary>
public sealed record QuarterlyReport(
    string ContractId,
    int Year,
    int Quarter,
    DateOnly From,
    DateOnly To,
    DateTimeOffset? AsOf,
    KpiSettings Settings,
    IReadOnlyList<SettingsPeriod> SettingsPeriods,
    KpiFigures Total,
    IReadOnlyList<KpiFigures> ServiceLines,
    CostFigures Cost,
    ReportCurrency? Current)
{
    /// <summary>The report of a contract's quarter from its calls: pure; what the projected tallies must always equal.</summary>
    public static QuarterlyReport Compose(
        Contract contract, Quarter quarter, IReadOnlyList<ReportCall> calls, DateTimeOffset? asOf = null, ReportCurrency? current = null)
    {
        var calendar = ServiceCalendar.For(contract);
        var lines = calls.GroupBy(c => c.ServiceLine).ToDictionary(g => g.Key, g => Kpis.Tally(g, calendar, contract.KpiSettingsOn));
        return Compose(contract, quarter, lines, asOf, current);
    }

    /// <summary>The report of a contract's quarter from the tallies of its service lines (ADR 16).</summary>
    public static QuarterlyReport Compose(
        Contract contract, Quarter quarter, IReadOnlyDictionary<string, KpiTally> lines, DateTimeOffset? asOf = null, ReportCurrency? current = null)
    {
        var periods = SettingsIn(contract, quarter);
        var targets = periods[^1].Settings;
        var total = KpiTally.Sum(lines.Values).ToFigures(null, targets);
        var figures = LinesIn(contract, quarter, lines.Keys)
            .Select(code => (lines.GetValueOrDefault(code) ?? new KpiTally()).ToFigures(code, targets))
            .ToList();
        var feeDue = contract.FeeDue(quarter);
        var cost = new CostFigures(
            feeDue, Kpis.PerCall(feeDue, total.Offered), Kpis.PerCall(feeDue, total.Answered), Kpis.PerCall(feeDue, total.Settled));
        return new QuarterlyReport(
            contract.ContractId, quarter.Year, quarter.Number, quarter.FirstDay, quarter.LastDay, asOf,
            targets, periods, total, figures, cost, current);
    }

    /// <summary>The days of the quarter that the contract covers, or null when it covers none.</summary>
    public static (DateOnly From, DateOnly To)? CoveredPart(Contract contract, Quarter quarter)
    {
        var from = contract.StartsOn > quarter.FirstDay ? contract.StartsOn : quarter.FirstDay;
        var to = contract.EndsOn is { } end && end < quarter.LastDay ? end : quarter.LastDay;
        return from <= to ? (from, to) : null;
    }

    private static List<SettingsPeriod> SettingsIn(Contract contract, Quarter quarter)
    {
        var (from, to) = CoveredPart(contract, quarter) ?? (quarter.FirstDay, quarter.LastDay);
        var periods = new List<SettingsPeriod>();
        for (var i = 0; i < contract.KpiSettings.Count; i++)
        {
            var start = contract.KpiSettings[i].EffectiveFrom;
            var end = i + 1 < contract.KpiSettings.Count ? contract.KpiSettings[i + 1].EffectiveFrom.AddDays(-1) : DateOnly.MaxValue;
            var part = (From: start > from ? start : from, To: end < to ? end : to);
            if (part.From <= part.To)
            {
                periods.Add(new SettingsPeriod(part.From, part.To, contract.KpiSettings[i].Settings));
            }
        }

        return periods.Count > 0 ? periods : [new SettingsPeriod(from, to, contract.KpiSettingsOn(to))];
    }

    /// <summary>The contract's lines served in the quarter, in the order they were added, then any other line that has calls.</summary>
    private static IEnumerable<string> LinesIn(Contract contract, Quarter quarter, IEnumerable<string> linesWithCalls) =>
        contract.ServiceLines
            .Where(l => l.From <= quarter.LastDay && (l.EndsOn is null || l.EndsOn >= quarter.FirstDay))
            .Select(l => l.Code)
            .Concat(linesWithCalls.Order(StringComparer.Ordinal))
            .Distinct();
}
