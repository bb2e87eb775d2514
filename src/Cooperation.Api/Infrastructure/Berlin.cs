namespace Cooperation.Api.Infrastructure;

/// <summary>All calendar logic of the domain (quarters, days, opening hours) is Europe/Berlin.</summary>
public static class Berlin
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static DateOnly DateOf(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());

    /// <summary>
    /// The instant of a Berlin wall-clock time. A time skipped when the clocks go forward is taken an hour
    /// later (02:30 becomes 03:30); a time that occurs twice when they go back is its first occurrence.
    /// </summary>
    public static DateTimeOffset At(DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var offset = Zone.IsAmbiguousTime(local) ? Zone.GetAmbiguousTimeOffsets(local).Max() : Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>Midnight at the start of a Berlin day.</summary>
    public static DateTimeOffset StartOf(DateOnly day) => At(day, TimeOnly.MinValue);
}
