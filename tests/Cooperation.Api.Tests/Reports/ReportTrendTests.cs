using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Reports;

public class ReportTrendTests(AppFixture fixture) : ReportTest(fixture)
{
    private const string Bb = "buergerbuero";

    [Fact]
    public async Task The_trend_lists_every_begun_quarter_of_the_term_each_equal_to_its_own_report()
    {
        var contract = await GivenContract(); // from 2020-11-02
        await Answered(contract, Bb, "2020-12-01T09:00:00+01:00", "2020-12-01T09:00:10+01:00");
        var late = await Answered(contract, Bb, "2021-02-01T09:00:00+01:00", "2021-02-01T09:01:00+01:00");
        await Complete(late, "resolved", "2021-02-01T09:04:00+01:00");
        await Abandoned(contract, Bb, "2021-02-02T09:00:00+01:00", "2021-02-02T09:00:30+01:00");
        await Fixture.ProjectionsCaughtUpAsync();

        var trend = (await Get($"/api/reports/quarterly/{contract}", Finance)).AsArray();

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).DateTime);
        var quarters = ((today.Year - 2020) * 4) + ((today.Month - 1) / 3) + 1 - 3; // 2020-Q4 up to today's quarter
        Assert.Equal(quarters, trend.Count);
        Assert.Equal((2020, 4), ((int)trend[0]!["year"]!, (int)trend[0]!["quarter"]!));
        Assert.Equal((today.Year, ((today.Month - 1) / 3) + 1), ((int)trend[^1]!["year"]!, (int)trend[^1]!["quarter"]!));
        Assert.Equal(1, (int)trend[0]!["total"]!["offered"]!);
        Assert.Equal(2, (int)trend[1]!["total"]!["offered"]!);
        Assert.Equal(0, (int)trend[2]!["total"]!["offered"]!);
        foreach (var (year, quarter, index) in new[] { (2020, 4, 0), (2021, 1, 1), (2021, 2, 2) })
        {
            JsonAssert.Equal(Figures(await Report(contract, year, quarter)), Figures(trend[index]!.AsObject()));
        }
    }

    [Fact]
    public async Task The_trend_is_refused_to_callers_the_contract_does_not_reach()
    {
        var contract = await GivenContract();

        await RefusedGet($"/api/reports/quarterly/{contract}", Tokens.For("finance", "herne"), 404);
        await RefusedGet($"/api/reports/quarterly/{contract}", Tokens.For("department", "castrop-rauxel"), 403);
        await RefusedGet("/api/reports/quarterly/no-such-contract", Finance, 404);
    }

    [Fact]
    public async Task The_days_of_a_quarter_count_calls_by_their_Berlin_day_with_zeros_for_quiet_days()
    {
        var contract = await GivenContract();
        await Answered(contract, Bb, "2021-03-01T08:00:00+01:00", "2021-03-01T08:00:10+01:00");
        await Abandoned(contract, Bb, "2021-03-01T17:59:00+01:00", "2021-03-01T18:00:30+01:00");
        await Offered(contract, Bb, "2021-02-28T23:30:00Z"); // 00:30 on 1 March in Berlin
        await Answered(contract, Bb, "2021-03-31T23:59:00+02:00", "2021-03-31T23:59:30+02:00");
        await Fixture.ProjectionsCaughtUpAsync();

        var answer = await Get($"/api/reports/quarterly/{contract}/2021/1/days", Auditor);

        var days = answer["days"]!.AsArray();
        Assert.Equal("2021-01-01", (string)answer["from"]!);
        Assert.Equal("2021-03-31", (string)answer["to"]!);
        Assert.Equal(90, days.Count);
        Assert.Equal("2021-01-01", (string)days[0]!["date"]!);
        var first = days.Single(d => (string)d!["date"]! == "2021-03-01")!;
        Assert.Equal(2, (int)first["offered"]!); // the call at 00:30 came outside the opening hours
        Assert.Equal((1, 1, 1), ((int)first["answered"]!, (int)first["abandoned"]!, (int)first["offeredOutsideHours"]!));
        Assert.Equal((1, 50.00m), ((int)first["answeredWithinServiceLevel"]!, (decimal)first["serviceLevelPercent"]!));
        var last = days[^1]!;
        Assert.Equal("2021-03-31", (string)last["date"]!);
        Assert.Equal((0, 1), ((int)last["offered"]!, (int)last["offeredOutsideHours"]!));
        Assert.Null(last["serviceLevelPercent"]);
        var total = (await Report(contract, 2021, 1))["total"]!;
        Assert.Equal((int)total["offered"]!, days.Sum(d => (int)d!["offered"]!));
        Assert.Equal((int)total["offeredOutsideHours"]!, days.Sum(d => (int)d!["offeredOutsideHours"]!));
    }

    [Fact]
    public async Task The_days_of_the_first_quarter_start_with_the_contract()
    {
        var contract = await GivenContract(); // from 2020-11-02

        var answer = await Get($"/api/reports/quarterly/{contract}/2020/4/days", Finance);

        Assert.Equal("2020-11-02", (string)answer["from"]!);
        Assert.Equal(60, answer["days"]!.AsArray().Count);
        Assert.All(answer["days"]!.AsArray(), d => Assert.Equal(0, (int)d!["offered"]!));
    }

    [Theory]
    [InlineData("2021/5", 400, "quarter")]
    [InlineData("21/1", 400, "year")]
    [InlineData("2020/3", 409, "quarter")]
    [InlineData("2199/1", 409, "quarter")]
    public async Task The_days_of_a_quarter_outside_the_term_or_misspelt_are_refused(string period, int status, string field)
    {
        var contract = await GivenContract();

        var problem = await RefusedGet($"/api/reports/quarterly/{contract}/{period}/days", Finance, status, status == 400 ? field : null);

        Assert.Contains(field, problem.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_days_are_refused_to_callers_the_contract_does_not_reach()
    {
        var contract = await GivenContract();

        await RefusedGet($"/api/reports/quarterly/{contract}/2021/1/days", Tokens.For("finance", "herne"), 404);
        await RefusedGet($"/api/reports/quarterly/{contract}/2021/1/days", Tokens.For("service-centre", "bochum"), 403);
    }
}
