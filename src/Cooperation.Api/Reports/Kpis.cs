using System.Text.Json.Serialization;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Reports;

/// <summary>
/// One call as the report counts it: its values with corrections applied, and what it led to. The referral
/// of a call is opened at the call's (corrected) completion.
/// </summary>
public sealed record ReportCall(
    string ServiceLine,
    DateTimeOffset OfferedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? AbandonedAt,
    DateTimeOffset? CompletedAt,
    CallOutcome? Outcome,
    bool Corrected,
    bool ReferralOpened = false,
    DateTimeOffset? ReferralAnsweredAt = null,
    int AppointmentsBooked = 0);

public sealed record OutcomeCounts(int Resolved, int AppointmentBooked, int Referred, int CallbackPromised);

/// <summary>The figures of domain §2, for one service line (<c>Code</c>) or for all of them (no code).</summary>
public sealed record KpiFigures(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Code,
    int Offered,
    int Answered,
    int Abandoned,
    int ShortAbandons,
    int OfferedOutsideHours,
    int InQueue,
    int AnsweredWithinServiceLevel,
    decimal? ReachabilityPercent,
    decimal? ServiceLevelPercent,
    decimal? AverageSpeedOfAnswerSeconds,
    OutcomeCounts Outcomes,
    int OutcomePending,
    decimal? FirstContactResolutionPercent,
    decimal? ReferralRatePercent,
    int ReferralsOpened,
    int ReferralsAnsweredWithin24ServiceHours,
    decimal? ReferralsAnsweredWithin24ServiceHoursPercent,
    int AppointmentsBooked,
    int CorrectedCalls,
    bool? ServiceLevelMet,
    bool? FirstContactResolutionMet)
{
    /// <summary>Settled at first contact: resolved or with an appointment booked.</summary>
    [JsonIgnore]
    public int Settled => Outcomes.Resolved + Outcomes.AppointmentBooked;
}

/// <summary>The KPI rules of domain §2 as pure functions over calls, a calendar and the settings.</summary>
public static class Kpis
{
    public static readonly TimeSpan ReferralClock = TimeSpan.FromHours(24);

    /// <param name="settingsOn">The thresholds in force on a call's day (settings are effective-dated).</param>
    /// <param name="targets">The targets the quarter is measured against.</param>
    public static KpiFigures Count(
        IEnumerable<ReportCall> calls, ServiceCalendar calendar, Func<DateOnly, KpiSettings> settingsOn, KpiSettings targets, string? code = null)
    {
        var t = new Tally();
        foreach (var call in calls)
        {
            t.Add(call, calendar, settingsOn);
        }

        return t.ToFigures(code, targets);
    }

    /// <summary>A share in percent, rounded half away from zero to two decimals; null when nothing to share.</summary>
    public static decimal? Percent(int part, int whole) => whole == 0 ? null : Money.Round(100m * part / whole);

    /// <summary>Met when the exact, unrounded share is at least the target.</summary>
    public static bool? Met(int part, int whole, decimal targetPercent) => whole == 0 ? null : part * 100m >= targetPercent * whole;

    /// <summary>A cost per call, to the cent; null when there are no such calls.</summary>
    public static decimal? PerCall(decimal feeDue, int calls) => calls == 0 ? null : Money.Round(feeDue / calls);

    private sealed class Tally
    {
        private readonly int[] outcomes = new int[4];
        private int outsideHours, answered, abandoned, shortAbandons, inQueue, withinServiceLevel, pending;
        private int referrals, referralsInTime, appointments, corrected;
        private long waitTicks;

        public void Add(ReportCall call, ServiceCalendar calendar, Func<DateOnly, KpiSettings> settingsOn)
        {
            corrected += call.Corrected ? 1 : 0;
            if (!calendar.IsOpenAt(call.OfferedAt))
            {
                outsideHours++;
                return;
            }

            var settings = settingsOn(Berlin.DateOf(call.OfferedAt));
            if (call.AnsweredAt is { } answeredAt)
            {
                var wait = answeredAt - call.OfferedAt;
                answered++;
                waitTicks += wait.Ticks;
                withinServiceLevel += wait <= TimeSpan.FromSeconds(settings.ServiceLevelSeconds) ? 1 : 0;
                if (call.Outcome is { } outcome)
                {
                    outcomes[(int)outcome]++;
                }
                else
                {
                    pending++;
                }

                appointments += call.AppointmentsBooked;
                if (call.ReferralOpened)
                {
                    referrals++;
                    referralsInTime += AnsweredInTime(call, calendar) ? 1 : 0;
                }
            }
            else if (call.AbandonedAt is { } abandonedAt)
            {
                var isShort = abandonedAt - call.OfferedAt < TimeSpan.FromSeconds(settings.ShortAbandonSeconds);
                shortAbandons += isShort ? 1 : 0;
                abandoned += isShort ? 0 : 1;
            }
            else
            {
                inQueue++;
            }
        }

        public KpiFigures ToFigures(string? code, KpiSettings targets)
        {
            var offered = answered + abandoned;
            var counts = new OutcomeCounts(
                outcomes[(int)CallOutcome.Resolved], outcomes[(int)CallOutcome.AppointmentBooked],
                outcomes[(int)CallOutcome.Referred], outcomes[(int)CallOutcome.CallbackPromised]);
            var withOutcome = answered - pending;
            var settled = counts.Resolved + counts.AppointmentBooked;
            return new KpiFigures(
                code, offered, answered, abandoned, shortAbandons, outsideHours, inQueue, withinServiceLevel,
                Percent(answered, offered),
                Percent(withinServiceLevel, offered),
                answered == 0 ? null : Money.Round((decimal)waitTicks / TimeSpan.TicksPerSecond / answered),
                counts,
                pending,
                Percent(settled, withOutcome),
                Percent(counts.Referred + counts.CallbackPromised, withOutcome),
                referrals,
                referralsInTime,
                Percent(referralsInTime, referrals),
                appointments,
                corrected,
                Met(withinServiceLevel, offered, targets.ServiceLevelTargetPercent),
                Met(settled, withOutcome, targets.FirstContactResolutionTargetPercent));
        }

        /// <summary>The clock runs from the call's completion, only while the line is open.</summary>
        private static bool AnsweredInTime(ReportCall call, ServiceCalendar calendar) =>
            call is { ReferralAnsweredAt: { } answeredAt, CompletedAt: { } openedAt }
            && calendar.OpenTimeBetween(openedAt, answeredAt, ReferralClock) <= ReferralClock;
    }
}
