using System.Globalization;
using CsvHelper;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Reports;

/// <summary>
/// The quarterly report as CSV: a header row, one row per service line and a total row ("total" in
/// <c>serviceLine</c>), invariant-culture numbers, UTF-8. The cost figures are the contract's, so only the
/// total row carries them; a figure that is null in JSON is an empty cell.
/// </summary>
public static class ReportCsv
{
    public const string MediaType = "text/csv";

    /// <summary>
    /// The longest CSV a report can be: a header, a row per service line (a contract's lines are a list of its stream,
    /// so at most <see cref="Infrastructure.Limits.MaxAnswerItems"/>) and the total, each row at most
    /// <see cref="MaxRowLength"/> characters. No text of the report is free text.
    /// </summary>
    public const int MaxLength = (Infrastructure.Limits.MaxAnswerItems + 2) * MaxRowLength;

    /// <summary>
    /// 39 cells: the contract id and the line code, kebab-case of at most 100 characters each (200, never quoted), year
    /// and quarter (5), two dates and an instant (53), 32 figures of at most 31 characters (a decimal's 29 digits, sign
    /// and point: 992), 38 commas and a line break: under 1,300, rounded up.
    /// </summary>
    public const int MaxRowLength = 1_750;

    private static readonly string[] Header =
    [
        "contractId", "year", "quarter", "from", "to", "asOf", "serviceLine",
        "offered", "answered", "abandoned", "shortAbandons", "offeredOutsideHours", "inQueue", "answeredWithinServiceLevel",
        "reachabilityPercent", "serviceLevelPercent", "averageSpeedOfAnswerSeconds",
        "resolved", "appointmentBooked", "referred", "callbackPromised", "outcomePending",
        "firstContactResolutionPercent", "referralRatePercent", "referralsOpened", "referralsAnsweredWithin24ServiceHours",
        "referralsAnsweredWithin24ServiceHoursPercent", "appointmentsBooked", "correctedCalls", "serviceLevelMet", "firstContactResolutionMet",
        "serviceLevelSeconds", "shortAbandonSeconds", "serviceLevelTargetPercent", "firstContactResolutionTargetPercent",
        "feeDue", "perOfferedCall", "perAnsweredCall", "perSettledCall",
    ];

    public static byte[] Write(QuarterlyReport report)
    {
        using var bytes = new MemoryStream();
        var options = new CsvWriterOptions { FormatProvider = CultureInfo.InvariantCulture, WriteByteOrderMark = false };
        using (var csv = CsvWriter.Create(bytes, options, true))
        {
            csv.WriteHeader(Header);
            foreach (var figures in report.ServiceLines)
            {
                WriteRow(csv, report, figures, figures.Code!, cost: null);
            }

            WriteRow(csv, report, report.Total, "total", report.Cost);
        }

        return bytes.ToArray();
    }

    private static void WriteRow(CsvWriter csv, QuarterlyReport report, KpiFigures f, string line, CostFigures? cost)
    {
        object?[] cells =
        [
            report.ContractId, report.Year, report.Quarter, report.From, report.To, report.AsOf, line,
            f.Offered, f.Answered, f.Abandoned, f.ShortAbandons, f.OfferedOutsideHours, f.InQueue, f.AnsweredWithinServiceLevel,
            f.ReachabilityPercent, f.ServiceLevelPercent, f.AverageSpeedOfAnswerSeconds,
            f.Outcomes.Resolved, f.Outcomes.AppointmentBooked, f.Outcomes.Referred, f.Outcomes.CallbackPromised, f.OutcomePending,
            f.FirstContactResolutionPercent, f.ReferralRatePercent, f.ReferralsOpened, f.ReferralsAnsweredWithin24ServiceHours,
            f.ReferralsAnsweredWithin24ServiceHoursPercent, f.AppointmentsBooked, f.CorrectedCalls, f.ServiceLevelMet, f.FirstContactResolutionMet,
            report.Settings.ServiceLevelSeconds, report.Settings.ShortAbandonSeconds,
            report.Settings.ServiceLevelTargetPercent, report.Settings.FirstContactResolutionTargetPercent,
            cost?.FeeDue, cost?.PerOfferedCall, cost?.PerAnsweredCall, cost?.PerSettledCall,
        ];
        foreach (var cell in cells)
        {
            csv.WriteField(Format(cell));
        }

        csv.EndRecord();
    }

    private static string Format(object? value) => value switch
    {
        null => string.Empty,
        bool b => b ? "true" : "false",
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset i => i.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        IFormattable n => n.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };
}
