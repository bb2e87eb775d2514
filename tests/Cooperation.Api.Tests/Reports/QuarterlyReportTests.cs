using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Reports;

public class QuarterlyReportTests(AppFixture fixture) : ReportTest(fixture)
{
    private const string Bb = "buergerbuero";

    [Fact]
    public async Task As_known_at_shows_what_was_recorded_by_then_and_the_live_report_the_corrections_since()
    {
        var contract = await GivenContract();
        var late = await Answered(contract, Bb, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:40+01:00");
        await Complete(late, "resolved", "2021-03-01T09:03:00+01:00");
        var billedAt = DateTimeOffset.UtcNow;
        await Task.Delay(50);

        await Correct(late, new JsonObject { ["reason"] = "answer time from the agent's log", ["answeredAt"] = "2021-03-01T09:00:20+01:00" });
        await Answered(contract, Bb, "2021-03-02T09:00:00+01:00", "2021-03-02T09:00:05+01:00");
        await Post($"/api/contracts/{contract}/kpi-settings", new JsonObject
        {
            ["serviceLevelSeconds"] = 20, ["shortAbandonSeconds"] = 10, ["serviceLevelTargetPercent"] = 80,
            ["firstContactResolutionTargetPercent"] = 80, ["effectiveFrom"] = "2021-01-01",
        }, Tokens.ContractAdmin());

        var then = await Report(contract, 2021, 1, billedAt.ToString("O"), Auditor);
        var now = await Report(contract, 2021, 1, token: Auditor);

        Assert.Equal(billedAt, then["asOf"]!.GetValue<DateTimeOffset>());
        Assert.Equal(1, (int)then["total"]!["answered"]!);
        Assert.Equal(0, (int)then["total"]!["answeredWithinServiceLevel"]!);
        Assert.Equal(0, (int)then["total"]!["correctedCalls"]!);
        Assert.Equal(30, (int)then["settings"]!["serviceLevelSeconds"]!);
        Assert.Equal(40.00m, (decimal)then["total"]!["averageSpeedOfAnswerSeconds"]!);

        Assert.Equal(2, (int)now["total"]!["answered"]!);
        Assert.Equal(2, (int)now["total"]!["answeredWithinServiceLevel"]!); // 20 s and 5 s, within the new 20 s
        Assert.Equal(1, (int)now["total"]!["correctedCalls"]!);
        Assert.Equal(20, (int)now["settings"]!["serviceLevelSeconds"]!);
        Assert.Equal(12.50m, (decimal)now["total"]!["averageSpeedOfAnswerSeconds"]!);

        // As known now, it is the live report.
        var asOfNow = Figures(await Report(contract, 2021, 1, DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"), Auditor));
        asOfNow["asOf"] = null;
        JsonAssert.Equal(Figures(now), asOfNow);
    }

    [Fact]
    public async Task A_quarter_without_calls_has_null_kpis_and_costs_but_the_fee()
    {
        var contract = await GivenContract();

        var report = await Report(contract, 2021, 2);

        Assert.Equal(0, (int)report["total"]!["offered"]!);
        Assert.Null(report["total"]!["reachabilityPercent"]);
        Assert.Null(report["total"]!["serviceLevelMet"]);
        Assert.Equal(45_000.00m, (decimal)report["cost"]!["feeDue"]!);
        Assert.Null(report["cost"]!["perOfferedCall"]);
        Assert.Equal(Bb, (string)report["serviceLines"]![0]!["code"]!);
    }

    [Fact]
    public async Task The_report_says_up_to_which_event_it_is_current()
    {
        var contract = await GivenContract();
        await Answered(contract, Bb, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:10+01:00");

        var current = (await Report(contract, 2021, 1))["current"]!;

        Assert.True((long)current["upToSequence"]! > 0);
        Assert.Equal((long)current["latestSequence"]!, (long)current["upToSequence"]!);
    }

    [Fact]
    public async Task One_contracts_report_never_counts_another_contracts_calls()
    {
        var castrop = await GivenContract();
        var herne = await GivenContract(body => ContractRequests.Sign(body["contractId"]!.GetValue<string>(), client: "herne"));
        await Answered(castrop, Bb, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:10+01:00");
        await Answered(herne, Bb, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:10+01:00");
        await Answered(herne, Bb, "2021-03-01T09:01:00+01:00", "2021-03-01T09:01:10+01:00");

        Assert.Equal(1, (int)(await Report(castrop, 2021, 1))["total"]!["answered"]!);
        Assert.Equal(2, (int)(await Report(herne, 2021, 1, token: Tokens.For("finance", "herne")))["total"]!["answered"]!);
        Assert.Equal(3, (int)(await Report(castrop, 2021, 1, token: Tokens.For("finance", "bochum")))["total"]!["answered"]! +
                        (int)(await Report(herne, 2021, 1, token: Tokens.For("finance", "bochum")))["total"]!["answered"]!);
    }

    [Fact]
    public async Task Csv_gives_the_same_figures_one_row_per_line_and_a_total()
    {
        var contract = await GivenContractWithTwoLines();
        await new QuarterlyReportAcceptanceTests(Fixture).GivenTheHandCountedQuarter(contract);
        await Fixture.ProjectionsCaughtUpAsync();

        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/reports/quarterly/{contract}/2020/4");
            s.WithRequestHeader("Accept", "text/csv");
            s.WithBearerToken(Finance);
        });

        Assert.StartsWith("text/csv", result.Context.Response.ContentType);
        var rows = (await result.ReadAsTextAsync()).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(',')).ToList();
        var header = rows[0].ToList();
        string Cell(int row, string column) => rows[row][header.IndexOf(column)];

        Assert.Equal(4, rows.Count);
        Assert.Equal(["buergerbuero", "ordnungswesen", "total"], rows.Skip(1).Select(r => r[header.IndexOf("serviceLine")]));
        Assert.Equal("11", Cell(3, "offered"));
        Assert.Equal("81.82", Cell(3, "reachabilityPercent"));
        Assert.Equal("23.44", Cell(3, "averageSpeedOfAnswerSeconds"));
        Assert.Equal("29347.83", Cell(3, "feeDue"));
        Assert.Equal("7336.96", Cell(3, "perSettledCall"));
        Assert.Equal("true", Cell(1, "serviceLevelMet"));
        Assert.Equal("0.00", Cell(2, "firstContactResolutionPercent"));
        Assert.Equal(string.Empty, Cell(1, "feeDue"));
        Assert.Equal(string.Empty, Cell(1, "asOf"));
    }

    [Theory]
    [InlineData("2021/5", 400, "quarter")]
    [InlineData("2021/0", 400, "quarter")]
    [InlineData("1850/1", 400, "year")]
    [InlineData("twenty/1", 400, "year")]
    [InlineData("2021/1?asOf=yesterday", 400, "asOf")]
    [InlineData("2021/1?asOf=2021-04-01T00:00:00", 400, "asOf")] // no offset
    [InlineData("2020/3", 409, "quarter")] // before the contract's term
    [InlineData("2199/1", 409, "quarter")] // has not begun
    public async Task Bad_requests_name_the_field(string path, int status, string field)
    {
        var contract = await GivenContract();

        await RefusedGet($"/api/reports/quarterly/{contract}/{path}", Finance, status, field);
    }

    [Fact]
    public async Task Unknown_and_other_cities_contracts_are_not_found_and_other_roles_forbidden()
    {
        var contract = await GivenContract();

        await RefusedGet($"/api/reports/quarterly/{UniqueId("nope")}/2021/1", Finance, 404);
        await RefusedGet($"/api/reports/quarterly/{contract}/2021/1", Tokens.For("finance", "dortmund"), 404);
        await RefusedGet($"/api/reports/quarterly/{contract}/2021/1?asOf=2020-01-01T00:00:00Z", Auditor, 404); // not signed yet
        await RefusedGet($"/api/reports/quarterly/{contract}/2021/1", Acd, 403);
        await RefusedGet($"/api/reports/quarterly/{contract}/2021/1", Department, 403);
        await Host.Scenario(s =>
        {
            s.Get.Url($"/api/reports/quarterly/{contract}/2021/1");
            s.StatusCodeShouldBe(401);
        });
    }
}
