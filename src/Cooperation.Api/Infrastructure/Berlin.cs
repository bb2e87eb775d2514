namespace Cooperation.Api.Infrastructure;

/// <summary>All calendar logic of the domain (quarters, days, opening hours) is Europe/Berlin.</summary>
public static class Berlin
{
    public static TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    public static DateOnly DateOf(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);

    public static DateOnly Today(TimeProvider clock) => DateOf(clock.GetUtcNow());
}
