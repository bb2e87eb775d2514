using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Reports;

namespace Cooperation.Api.Tests.Reports;

/// <summary>Opening hours in Berlin time, NRW's holidays, closure days, and the service-hours clock.</summary>
public class ServiceCalendarTests
{
    private static readonly ServiceCalendar Nrw = ServiceCalendar.For(Terms.Contract(closureDays: "2021-03-02"));

    [Theory]
    [InlineData("2021-03-01T08:00:00+01:00", true)] // Monday, opening
    [InlineData("2021-03-01T07:59:59+01:00", false)]
    [InlineData("2021-03-01T17:59:59+01:00", true)]
    [InlineData("2021-03-01T18:00:00+01:00", false)] // closes at 18:00:00, not after it
    [InlineData("2021-03-01T16:59:59Z", true)] // 17:59:59 in Berlin, given in UTC
    [InlineData("2021-03-01T17:00:00Z", false)]
    [InlineData("2021-03-06T10:00:00+01:00", false)] // Saturday
    [InlineData("2021-03-07T10:00:00+01:00", false)] // Sunday
    [InlineData("2021-03-02T10:00:00+01:00", false)] // the contract's closure day
    [InlineData("2021-04-02T10:00:00+02:00", false)] // Good Friday
    [InlineData("2021-04-05T10:00:00+02:00", false)] // Easter Monday
    [InlineData("2021-06-03T10:00:00+02:00", false)] // Corpus Christi, a holiday in NRW
    [InlineData("2021-11-01T10:00:00+01:00", false)] // All Saints' Day, a holiday in NRW
    [InlineData("2021-01-01T10:00:00+01:00", false)] // New Year's Day
    [InlineData("2021-03-29T06:00:00Z", true)] // first Monday of summer time: 08:00 in Berlin
    [InlineData("2021-03-29T07:30:00+01:00", true)] // the same clock reading an hour on: 08:30 CEST
    [InlineData("2021-03-29T05:59:59Z", false)] // 07:59:59 CEST
    [InlineData("2021-11-01T16:59:59Z", false)] // holiday
    [InlineData("2021-11-02T16:59:59Z", true)] // 17:59:59 CET, after the clocks went back
    public void Decides_by_the_instant_in_Berlin(string instant, bool open) =>
        Assert.Equal(open, Nrw.IsOpenAt(Terms.At(instant)));

    [Fact]
    public void Corpus_Christi_is_a_working_day_where_it_is_not_a_holiday() =>
        Assert.True(ServiceCalendar.For(Terms.Contract(state: "NI")).IsOpenAt(Terms.At("2021-06-03T10:00:00+02:00")));

    [Theory]
    [InlineData("2021-03-05T17:30:00+01:00", "2021-03-08T09:00:00+01:00", 1.5)] // Friday 17:30 to Monday 09:00
    [InlineData("2021-03-06T12:00:00+01:00", "2021-03-08T08:30:00+01:00", 0.5)] // the clock starts on Monday's opening
    [InlineData("2021-03-01T19:00:00+01:00", "2021-03-01T20:00:00+01:00", 0)]
    [InlineData("2021-03-01T10:00:00+01:00", "2021-03-01T09:00:00+01:00", 0)] // backwards: no time
    [InlineData("2021-03-26T17:00:00+01:00", "2021-03-29T09:00:00+02:00", 2)] // across the night the clocks go forward
    [InlineData("2021-04-01T17:00:00+02:00", "2021-04-06T09:00:00+02:00", 2)] // Thursday to Tuesday over Easter
    public void Counts_open_time_only(string from, string to, double hours) =>
        Assert.Equal(TimeSpan.FromHours(hours), Nrw.OpenTimeBetween(Terms.At(from), Terms.At(to), TimeSpan.FromDays(365)));

    private static OpeningInterval Interval(string opens, string closes) => new(TimeOnly.Parse(opens), TimeOnly.Parse(closes));

    /// <summary>Mon–Thu 07:30–12:00 and 13:00–16:00, Fri 07:30–12:30; a night line Fri–Sun 01:00–05:00 besides.</summary>
    private static readonly OpeningHours Split = OpeningHours.Weekly(day => day switch
    {
        Weekday.Mon or Weekday.Tue or Weekday.Wed or Weekday.Thu => [Interval("07:30", "12:00"), Interval("13:00", "16:00")],
        Weekday.Fri => [Interval("01:00", "05:00"), Interval("07:30", "12:30")],
        _ => [Interval("01:00", "05:00")],
    });

    [Theory]
    [InlineData("2021-03-01T07:30:00+01:00", true)] // Monday, first interval opens
    [InlineData("2021-03-01T11:59:59+01:00", true)]
    [InlineData("2021-03-01T12:00:00+01:00", false)] // lunch break: the first interval closes at 12:00:00
    [InlineData("2021-03-01T12:59:59+01:00", false)]
    [InlineData("2021-03-01T13:00:00+01:00", true)] // the second opens
    [InlineData("2021-03-01T16:00:00+01:00", false)]
    [InlineData("2021-03-05T12:15:00+01:00", true)] // Friday until 12:30
    [InlineData("2021-03-05T12:30:00+01:00", false)]
    [InlineData("2021-03-05T02:00:00+01:00", true)] // the night line on Friday
    [InlineData("2021-03-06T04:59:59+01:00", true)] // and Saturday
    [InlineData("2021-03-06T05:00:00+01:00", false)]
    [InlineData("2021-03-04T02:00:00+01:00", false)] // not on Thursday
    [InlineData("2021-04-02T02:00:00+02:00", false)] // nor on Good Friday
    public void Several_intervals_a_day_each_from_opens_up_to_closes(string instant, bool open) =>
        Assert.Equal(open, new ServiceCalendar(Split, [], "NW").IsOpenAt(Terms.At(instant)));

    [Fact]
    public void The_hours_in_force_on_each_day_decide_it_and_run_the_clock()
    {
        // The default hours until Tuesday 2021-03-09, the split hours from then on.
        var calendar = new ServiceCalendar(
            [new OpeningHoursPeriod(new DateOnly(2020, 11, 2), OpeningHours.Default), new OpeningHoursPeriod(new DateOnly(2021, 3, 9), Split)], [], "NW");

        Assert.True(calendar.IsOpenAt(Terms.At("2021-03-08T17:00:00+01:00"))); // Monday, default hours
        Assert.False(calendar.IsOpenAt(Terms.At("2021-03-09T17:00:00+01:00"))); // Tuesday, split hours close at 16:00
        Assert.True(calendar.IsOpenAt(Terms.At("2021-03-09T07:45:00+01:00")));
        Assert.True(calendar.IsOpenAt(Terms.At("2021-01-04T17:00:00+01:00"))); // long before the change
        // Monday 17:00–18:00 (1 h), Tuesday 7.5 h: 8.5 h of service time.
        Assert.Equal(TimeSpan.FromHours(8.5), calendar.OpenTimeBetween(Terms.At("2021-03-08T17:00:00+01:00"), Terms.At("2021-03-10T07:30:00+01:00"), TimeSpan.FromDays(1)));
    }

    [Theory]
    [InlineData("2021-04-01", "2021-04-08")] // Q1 2021 ends Wednesday; Thu 10 h, Good Friday to Easter Monday closed, Tue 10 h, Wed 10 h: 30 h by Thursday
    [InlineData("2021-07-01", "2021-07-06")] // Thu 10 h, Fri 10 h, Mon 10 h: past 24 h by Tuesday
    public void FirstDayPast_is_the_first_day_that_begins_after_the_clock_ran_out(string quarterAfter, string free) =>
        Assert.Equal(DateOnly.Parse(free), Nrw.FirstDayPast(Berlin.StartOf(DateOnly.Parse(quarterAfter)), TimeSpan.FromHours(24)));

    [Fact]
    public void FirstDayPast_gives_up_two_years_on_when_the_line_never_opens()
    {
        var closed = new ServiceCalendar(OpeningHours.Weekly(_ => []), [], "NW");

        Assert.Equal(new DateOnly(2023, 4, 1), closed.FirstDayPast(Berlin.StartOf(new DateOnly(2021, 4, 1)), TimeSpan.FromHours(24)));
    }

    // On the days the clocks change, the clock counts exactly the time IsOpenAt calls open, second by second.
    [Theory]
    [InlineData("2021-03-28", "02:00", "02:30")] // inside the hour that is skipped
    [InlineData("2021-03-28", "01:30", "02:30")]
    [InlineData("2021-03-28", "01:00", "05:00")]
    [InlineData("2021-10-31", "01:00", "02:30")] // into the hour that comes twice
    [InlineData("2021-10-31", "02:30", "04:00")]
    [InlineData("2021-10-31", "01:00", "05:00")]
    [InlineData("2021-03-29", "08:00", "18:00")]
    public void On_the_days_the_clocks_change_the_clock_counts_what_is_open(string day, string opens, string closes)
    {
        var date = DateOnly.Parse(day);
        var calendar = new ServiceCalendar(OpeningHours.Weekly(_ => [Interval(opens, closes)]), [], "NW");
        var (start, end) = (Berlin.StartOf(date), Berlin.StartOf(date.AddDays(1)));
        var open = 0;
        for (var instant = start; instant < end; instant = instant.AddSeconds(30))
        {
            open += calendar.IsOpenAt(instant) ? 30 : 0;
        }

        Assert.Equal(TimeSpan.FromSeconds(open), calendar.OpenTimeBetween(start, end, TimeSpan.FromDays(2)));
    }

    [Fact]
    public void Intervals_that_touch_are_the_same_hours_as_one()
    {
        Assert.Equal(
            OpeningHours.Weekly(d => d == Weekday.Mon ? [Interval("08:00", "14:00")] : []),
            OpeningHours.Weekly(d => d == Weekday.Mon ? [Interval("12:00", "14:00"), Interval("08:00", "12:00")] : []));
        Assert.NotEqual(
            OpeningHours.Weekly(d => d == Weekday.Mon ? [Interval("08:00", "14:00")] : []),
            OpeningHours.Weekly(d => d == Weekday.Mon ? [Interval("08:00", "12:00"), Interval("12:01", "14:00")] : []));
    }
}
