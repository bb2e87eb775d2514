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
}
