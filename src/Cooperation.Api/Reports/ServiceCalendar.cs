using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using PublicHoliday;

namespace Cooperation.Api.Reports;

/// <summary>
/// When a contract's line is open: its opening hours in Berlin time, except on the public holidays of the
/// client's federal state and on the contract's closure days. Decides whether a call counts in the KPIs and
/// runs the clock of "answered within 24 service hours".
/// </summary>
public sealed class ServiceCalendar
{
    private readonly OpeningHours hours;
    private readonly HashSet<DateOnly> closureDays;
    private readonly GermanPublicHoliday holidays;
    private readonly Dictionary<int, HashSet<DateOnly>> holidaysByYear = [];

    public ServiceCalendar(OpeningHours hours, IEnumerable<DateOnly> closureDays, string federalState)
    {
        this.hours = hours;
        this.closureDays = [.. closureDays];
        holidays = new GermanPublicHoliday
        {
            State = Enum.TryParse<GermanPublicHoliday.States>(federalState, out var state) ? state : GermanPublicHoliday.States.ALL,
        };
    }

    public static ServiceCalendar For(Contract contract) => new(contract.OpeningHours, contract.ClosureDays, contract.Client.State);

    public bool IsHoliday(DateOnly day)
    {
        if (!holidaysByYear.TryGetValue(day.Year, out var days))
        {
            days = [.. holidays.PublicHolidays(day.Year).Select(DateOnly.FromDateTime)];
            holidaysByYear[day.Year] = days;
        }

        return days.Contains(day);
    }

    public bool IsOpenOn(DateOnly day) => hours.Days.Contains(WeekdayOf(day)) && !closureDays.Contains(day) && !IsHoliday(day);

    /// <summary>Open from <c>opens</c> up to, not including, <c>closes</c>: 18:00:00 is closed.</summary>
    public bool IsOpenAt(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Berlin.Zone).DateTime;
        var time = TimeOnly.FromDateTime(local);
        return IsOpenOn(DateOnly.FromDateTime(local)) && time >= hours.Opens && time < hours.Closes;
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
            if (!IsOpenOn(day))
            {
                continue;
            }

            var start = Max(Berlin.At(day, hours.Opens), from);
            var end = Min(Berlin.At(day, hours.Closes), to);
            open += end > start ? end - start : TimeSpan.Zero;
        }

        return open;
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
