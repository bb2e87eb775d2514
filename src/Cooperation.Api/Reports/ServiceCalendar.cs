using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using PublicHoliday;

namespace Cooperation.Api.Reports;

/// <summary>
/// When a contract's line is open: the opening hours in force on each day, in Berlin time, except on the public
/// holidays of the client's federal state and on the contract's closure days. Decides whether a call counts in the
/// KPIs and runs the clock of "answered within 24 service hours".
/// </summary>
public sealed class ServiceCalendar
{
    // The first period also applies to any day before it.
    private readonly OpeningHoursPeriod[] periods;
    private readonly HashSet<DateOnly> closureDays;
    private readonly GermanPublicHoliday holidays;
    // Shared by concurrent readers (the report projection, the demo's parallel writers).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, HashSet<DateOnly>> holidaysByYear = new();

    public ServiceCalendar(OpeningHours hours, IEnumerable<DateOnly> closureDays, string federalState)
        : this([new OpeningHoursPeriod(DateOnly.MinValue, hours)], closureDays, federalState)
    {
    }

    public ServiceCalendar(IReadOnlyList<OpeningHoursPeriod> periods, IEnumerable<DateOnly> closureDays, string federalState)
    {
        this.periods = [.. periods.OrderBy(p => p.EffectiveFrom)];
        this.closureDays = [.. closureDays];
        holidays = new GermanPublicHoliday
        {
            State = Enum.TryParse<GermanPublicHoliday.States>(federalState, out var state) ? state : GermanPublicHoliday.States.ALL,
        };
    }

    public static ServiceCalendar For(Contract contract) => new(contract.OpeningHoursPeriods, contract.ClosureDays, contract.Client.State);

    public bool IsHoliday(DateOnly day)
    {
        var days = holidaysByYear.GetOrAdd(day.Year, year => [.. holidays.PublicHolidays(year).Select(DateOnly.FromDateTime)]);

        return days.Contains(day);
    }

    /// <summary>The intervals the line is open on a day: none on a holiday or closure day.</summary>
    public IReadOnlyList<OpeningInterval> IntervalsOn(DateOnly day) =>
        closureDays.Contains(day) || IsHoliday(day) ? [] : HoursOn(day).On(WeekdayOf(day));

    public bool IsOpenOn(DateOnly day) => IntervalsOn(day).Count > 0;

    /// <summary>Open from an interval's <c>opens</c> up to, not including, its <c>closes</c>: 18:00:00 is closed.</summary>
    public bool IsOpenAt(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Berlin.Zone).DateTime;
        var time = TimeOnly.FromDateTime(local);
        foreach (var interval in IntervalsOn(DateOnly.FromDateTime(local)))
        {
            if (time >= interval.Opens && time < interval.Closes)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// How long the line was open between two instants. Stops counting once past <paramref name="enough"/>,
    /// so an answer months later costs no more than one a few days later.
    /// </summary>
    public TimeSpan OpenTimeBetween(DateTimeOffset from, DateTimeOffset to, TimeSpan enough)
    {
        var open = TimeSpan.Zero;
        for (var day = Berlin.DateOf(from); day <= Berlin.DateOf(to) && open <= enough; day = day.AddDays(1))
        {
            open += OpenTimeOn(day, from, to);
        }

        return open;
    }

    /// <summary>
    /// The first day that begins more than <paramref name="clock"/> of open time after <paramref name="start"/>: a
    /// clock started by then has run out before that day, whatever the calendar says from that day on. Looks at most
    /// two years ahead (a line closed for longer gives the day two years on).
    /// </summary>
    public DateOnly FirstDayPast(DateTimeOffset start, TimeSpan clock)
    {
        var open = TimeSpan.Zero;
        var day = Berlin.DateOf(start);
        var last = day.AddYears(2);
        while (open <= clock && day < last)
        {
            open += OpenTimeOn(day, start, DateTimeOffset.MaxValue);
            day = day.AddDays(1);
        }

        return day;
    }

    /// <summary>
    /// The open time of a day between two instants: the length of the instants whose Berlin wall-clock time lies in
    /// one of the day's intervals, exactly what <see cref="IsOpenAt"/> says is open. On the days the clocks change, an
    /// interval over the skipped hour is shorter and one over the repeated hour longer than its wall-clock length.
    /// </summary>
    private TimeSpan OpenTimeOn(DateOnly day, DateTimeOffset from, DateTimeOffset to)
    {
        var intervals = IntervalsOn(day);
        if (intervals.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var open = TimeSpan.Zero;
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        foreach (var (start, end, offset) in SpansOf(day))
        {
            foreach (var interval in intervals)
            {
                // On a span of one offset, wall-clock time t is the instant t − offset.
                var opens = new DateTimeOffset(midnight + interval.Opens.ToTimeSpan() - offset, TimeSpan.Zero);
                var closes = new DateTimeOffset(midnight + interval.Closes.ToTimeSpan() - offset, TimeSpan.Zero);
                var first = Max(Max(opens, start), from);
                var last = Min(Min(closes, end), to);
                open += last > first ? last - first : TimeSpan.Zero;
            }
        }

        return open;
    }

    /// <summary>
    /// A Berlin day as spans of one UTC offset each: one span, or two on the days the clocks change. Berlin changes
    /// on a full UTC hour and its days begin on one, so looking at each hour finds the change.
    /// </summary>
    private static IEnumerable<(DateTimeOffset Start, DateTimeOffset End, TimeSpan Offset)> SpansOf(DateOnly day)
    {
        var start = Berlin.StartOf(day);
        var end = Berlin.StartOf(day.AddDays(1));
        var offset = Berlin.Zone.GetUtcOffset(start);
        if (Berlin.Zone.GetUtcOffset(end) == offset)
        {
            yield return (start, end, offset);
            yield break;
        }

        for (var hour = start.AddHours(1); hour < end; hour = hour.AddHours(1))
        {
            var next = Berlin.Zone.GetUtcOffset(hour);
            if (next != offset)
            {
                yield return (start, hour, offset);
                (start, offset) = (hour, next);
            }
        }

        yield return (start, end, offset);
    }

    private OpeningHours HoursOn(DateOnly day)
    {
        for (var i = periods.Length - 1; i > 0; i--)
        {
            if (periods[i].EffectiveFrom <= day)
            {
                return periods[i].Hours;
            }
        }

        return periods[0].Hours;
    }

    private static Weekday WeekdayOf(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Monday => Weekday.Mon,
        DayOfWeek.Tuesday => Weekday.Tue,
        DayOfWeek.Wednesday => Weekday.Wed,
        DayOfWeek.Thursday => Weekday.Thu,
        DayOfWeek.Friday => Weekday.Fri,
        DayOfWeek.Saturday => Weekday.Sat,
        _ => Weekday.Sun,
    };

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
