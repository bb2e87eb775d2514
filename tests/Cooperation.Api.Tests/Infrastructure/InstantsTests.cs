using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Tests.Infrastructure;

public sealed class InstantsTests
{
    [Theory]
    [InlineData("2021-04-12T10:00:00+02:00", "2021-04-12T08:00:00Z")]
    [InlineData("2021-04-12T08:00:00Z", "2021-04-12T08:00:00Z")]
    [InlineData("2021-04-12t08:00:00z", "2021-04-12T08:00:00Z")]
    [InlineData("2021-04-12T08:00:00.1234567Z", "2021-04-12T08:00:00.1234567Z")]
    [InlineData("2021-04-11T20:00:00-12:00", "2021-04-12T08:00:00Z")]
    [InlineData("2021-04-12T22:00:00+14:00", "2021-04-12T08:00:00Z")]
    [InlineData("2020-02-29T00:00:00+01:00", "2020-02-28T23:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z")]
    public void RFC_3339_instants_with_an_offset_are_read_as_the_same_instant(string text, string utc)
    {
        Assert.True(Instants.TryParse(text, out var instant));
        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), instant);
    }

    [Theory]
    [InlineData("12.04.2021 10:00:00 +02:00")]
    [InlineData("Mon, 12 Apr 2021 08:00:00 GMT")]
    [InlineData("04/12/2021 10:00 +02:00")]
    [InlineData("2021-04-12 10:00:00+02:00")]
    [InlineData("2021-04-12T10:00:00")]
    [InlineData("2021-04-12T10:00+02:00")]
    [InlineData("2021-04-12T10:00:00 02:00")] // '+' not encoded in a URL
    [InlineData("2021-04-12T10:00:00+0200")]
    [InlineData("2021-04-12T10:00:00+15:00")]
    [InlineData("2021-04-12T10:00:00.12345678Z")]
    [InlineData("2021-02-29T10:00:00Z")]
    [InlineData("2021-13-01T10:00:00Z")]
    [InlineData("2021-04-12T24:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")] // before the first instant .NET can hold
    [InlineData("２０２１-04-12T10:00:00Z")]
    [InlineData("")]
    [InlineData("2021-04-12")]
    public void Anything_else_is_refused_not_guessed(string text) => Assert.False(Instants.TryParse(text, out _));

    [Theory]
    [InlineData("2021-04-12", true)]
    [InlineData("2020-02-29", true)]
    [InlineData("2021-02-29", false)]
    [InlineData("12.04.2021", false)]
    [InlineData("2021-4-12", false)]
    [InlineData("2021-04-12T00:00:00Z", false)]
    [InlineData(" 2021-04-12", false)]
    public void Dates_are_yyyy_MM_dd_only(string text, bool valid) => Assert.Equal(valid, Instants.TryParseDate(text, out _));
}
