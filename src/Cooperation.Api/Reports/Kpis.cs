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

/// <summary>Where a call counts in the figures: exactly one of these.</summary>
public enum CallCount : byte { OutsideHours, Answered, Abandoned, ShortAbandon, InQueue }

/// <summary>
/// What one call adds to its quarter's figures under the calendar and the thresholds of the day it was offered
/// (domain §2). The report projection keeps each call's contribution, so a change to the call takes out exactly
/// what it added before.
/// </summary>
public readonly record struct Contribution(
    CallCount Kind, bool WithinServiceLevel, CallOutcome? Outcome, long WaitTicks, bool Referral, bool ReferralInTime, int Appointments, bool Corrected)
{
    public static Contribution Of(ReportCall call, ServiceCalendar calendar, Func<DateOnly, KpiSettings> settingsOn)
    {
        if (!calendar.IsOpenAt(call.OfferedAt))
        {
            return new(CallCount.OutsideHours, false, null, 0, false, false, 0, call.Corrected);
        }

        var settings = settingsOn(Berlin.DateOf(call.OfferedAt));
        if (call.AnsweredAt is { } answeredAt)
        {
            var wait = answeredAt - call.OfferedAt;
            return new(
                CallCount.Answered, wait <= TimeSpan.FromSeconds(settings.ServiceLevelSeconds), call.Outcome, wait.Ticks,
                call.ReferralOpened, call.ReferralOpened && Kpis.AnsweredInTime(call, calendar), call.AppointmentsBooked, call.Corrected);
        }

        if (call.AbandonedAt is { } abandonedAt)
        {
            var kind = abandonedAt - call.OfferedAt < TimeSpan.FromSeconds(settings.ShortAbandonSeconds) ? CallCount.ShortAbandon : CallCount.Abandoned;
            return new(kind, false, null, 0, false, false, 0, call.Corrected);
        }

        return new(CallCount.InQueue, false, null, 0, false, false, 0, call.Corrected);
    }
}

/// <summary>
/// The counts behind the figures of one service line (or of several added up), as the report projection stores
/// them: sums of the calls' contributions, so a report is a read and the year is the sum of its quarters.
/// </summary>
public sealed class KpiTally
{
    /// <summary>The counters in their stored order.</summary>
    public enum Counter
    {
        OutsideHours, Answered, Abandoned, ShortAbandons, InQueue, WithinServiceLevel,
        Resolved, AppointmentBooked, Referred, CallbackPromised, OutcomePending,
        WaitTicks, Referrals, ReferralsInTime, Appointments, Corrected,
    }

    public const int Size = (int)Counter.Corrected + 1;

    public KpiTally()
        : this(new long[Size])
    {
    }

    private KpiTally(long[] counts) => Counts = counts;

    public long[] Counts { get; }

    public long this[Counter c] => Counts[(int)c];

    public static KpiTally From(long[] counts) =>
        counts.Length == Size ? new((long[])counts.Clone()) : throw new ArgumentException($"A tally has {Size} counters, not {counts.Length}.", nameof(counts));

    public static KpiTally Sum(IEnumerable<KpiTally> tallies)
    {
        var sum = new KpiTally();
        foreach (var t in tallies)
        {
            sum.Add(t);
        }

        return sum;
    }

    public void Add(KpiTally other)
    {
        for (var i = 0; i < Size; i++)
        {
            Counts[i] += other.Counts[i];
        }
    }

    /// <summary>Adds a contribution (<paramref name="sign"/> 1) or takes it out again (-1).</summary>
    public void Add(Contribution c, int sign = 1)
    {
        Counts[(int)Counter.Corrected] += c.Corrected ? sign : 0;
        Counts[(int)(c.Kind switch
        {
            CallCount.OutsideHours => Counter.OutsideHours,
            CallCount.Answered => Counter.Answered,
            CallCount.Abandoned => Counter.Abandoned,
            CallCount.ShortAbandon => Counter.ShortAbandons,
            _ => Counter.InQueue,
        })] += sign;
        if (c.Kind != CallCount.Answered)
        {
            return;
        }

        Counts[(int)Counter.WaitTicks] += sign * c.WaitTicks;
        Counts[(int)Counter.WithinServiceLevel] += c.WithinServiceLevel ? sign : 0;
        Counts[(int)(c.Outcome switch
        {
            CallOutcome.Resolved => Counter.Resolved,
            CallOutcome.AppointmentBooked => Counter.AppointmentBooked,
            CallOutcome.Referred => Counter.Referred,
            CallOutcome.CallbackPromised => Counter.CallbackPromised,
            _ => Counter.OutcomePending,
        })] += sign;
        Counts[(int)Counter.Appointments] += sign * c.Appointments;
        Counts[(int)Counter.Referrals] += c.Referral ? sign : 0;
        Counts[(int)Counter.ReferralsInTime] += c.ReferralInTime ? sign : 0;
    }

    /// <summary>The figures of domain §2 from the counts; the targets are those of the period's last covered day.</summary>
    public KpiFigures ToFigures(string? code, KpiSettings targets)
    {
        int N(Counter c) => checked((int)this[c]);
        var answered = N(Counter.Answered);
        var offered = answered + N(Counter.Abandoned);
        var counts = new OutcomeCounts(N(Counter.Resolved), N(Counter.AppointmentBooked), N(Counter.Referred), N(Counter.CallbackPromised));
        var pending = N(Counter.OutcomePending);
        var withOutcome = answered - pending;
        var settled = counts.Resolved + counts.AppointmentBooked;
        var within = N(Counter.WithinServiceLevel);
        var referrals = N(Counter.Referrals);
        var inTime = N(Counter.ReferralsInTime);
        return new KpiFigures(
            code, offered, answered, N(Counter.Abandoned), N(Counter.ShortAbandons), N(Counter.OutsideHours), N(Counter.InQueue), within,
            Kpis.Percent(answered, offered),
            Kpis.Percent(within, offered),
            answered == 0 ? null : Money.Round((decimal)this[Counter.WaitTicks] / TimeSpan.TicksPerSecond / answered),
            counts,
            pending,
            Kpis.Percent(settled, withOutcome),
            Kpis.Percent(counts.Referred + counts.CallbackPromised, withOutcome),
            referrals,
            inTime,
            Kpis.Percent(inTime, referrals),
            N(Counter.Appointments),
            N(Counter.Corrected),
            Kpis.Met(within, offered, targets.ServiceLevelTargetPercent),
            Kpis.Met(settled, withOutcome, targets.FirstContactResolutionTargetPercent));
    }
}

/// <summary>The KPI rules of domain §2 as pure functions over calls, a calendar and the settings.</summary>
public static class Kpis
{
    public static readonly TimeSpan ReferralClock = TimeSpan.FromHours(24);

    /// <param name="settingsOn">The thresholds in force on a call's day (settings are effective-dated).</param>
    /// <param name="targets">The targets the quarter is measured against.</param>
    public static KpiFigures Count(
        IEnumerable<ReportCall> calls, ServiceCalendar calendar, Func<DateOnly, KpiSettings> settingsOn, KpiSettings targets, string? code = null) =>
        Tally(calls, calendar, settingsOn).ToFigures(code, targets);

    public static KpiTally Tally(IEnumerable<ReportCall> calls, ServiceCalendar calendar, Func<DateOnly, KpiSettings> settingsOn)
    {
        var t = new KpiTally();
        foreach (var call in calls)
        {
            t.Add(Contribution.Of(call, calendar, settingsOn));
        }

        return t;
    }

    /// <summary>A share in percent, rounded half away from zero to two decimals; null when nothing to share.</summary>
    public static decimal? Percent(int part, int whole) => whole == 0 ? null : Money.Round(100m * part / whole);

    /// <summary>Met when the exact, unrounded share is at least the target.</summary>
    public static bool? Met(int part, int whole, decimal targetPercent) => whole == 0 ? null : part * 100m >= targetPercent * whole;

    /// <summary>A cost per call, to the cent; null when there are no such calls.</summary>
    public static decimal? PerCall(decimal feeDue, int calls) => calls == 0 ? null : Money.Round(feeDue / calls);

    /// <summary>The clock runs from the call's completion, only while the line is open; exactly 24 service hours is within.</summary>
    public static bool AnsweredInTime(ReportCall call, ServiceCalendar calendar) =>
        call is { ReferralAnsweredAt: { } answeredAt, CompletedAt: { } openedAt }
        && calendar.OpenTimeBetween(openedAt, answeredAt, ReferralClock) <= ReferralClock;
}
