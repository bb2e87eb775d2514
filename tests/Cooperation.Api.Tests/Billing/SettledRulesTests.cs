using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>
/// The rules domain §2–3 settles, each named by a test over HTTP (issue 14, item 7). The 24th service hour of a
/// referral is named in <c>KpiTests</c>.
/// </summary>
public class SettledRulesTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task Thresholds_apply_by_the_day_a_call_was_offered_and_the_targets_are_those_of_the_quarters_last_covered_day()
    {
        var (contract, provider) = await GivenProviderContract();
        await Post($"/api/contracts/{contract}/kpi-settings",
            new JsonObject { ["serviceLevelSeconds"] = 20, ["serviceLevelTargetPercent"] = 90, ["effectiveFrom"] = "2021-02-15" }, Tokens.ContractAdmin());
        await AnsweredAfter(contract, provider, "2021-02-01T09:00:00+01:00", 25); // within the 30 s of its day
        await AnsweredAfter(contract, provider, "2021-03-01T09:00:00+01:00", 25); // not within the 20 s of its day

        await Fixture.ProjectionsCaughtUpAsync();
        var report = (await Get($"/api/reports/quarterly/{contract}/2021/1", Tokens.Auditor)).AsObject();

        Assert.Equal(1, (int)report["total"]!["answeredWithinServiceLevel"]!);
        Assert.Equal(20, (int)report["settings"]!["serviceLevelSeconds"]!); // the settings of 2021-03-31
        Assert.Equal(90m, (decimal)report["settings"]!["serviceLevelTargetPercent"]!);
        Assert.False((bool)report["total"]!["serviceLevelMet"]!); // 50 % against the target of the last day, 90 %
        Assert.Equal(["2021-01-01", "2021-02-15"], report["settingsPeriods"]!.AsArray().Select(p => (string)p!["from"]!));
    }

    [Fact]
    public async Task Each_quarter_is_rounded_on_its_own_and_the_years_fee_due_is_the_sum_of_its_quarters()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("annualFee", 123_456.78m));

        var year = await Reconciliation(contract, 2021, FinanceOf(provider));

        Assert.All(year["quarters"]!.AsArray(), q => Assert.Equal(30_864.20m, (decimal)q!["feeDue"]!)); // 30,864.195 each
        Assert.Equal(123_456.80m, (decimal)year["feeDue"]!); // two cents above the annual fee, as the rule says
    }

    [Fact]
    public async Task One_gap_free_series_per_provider_and_year_of_issue_runs_through_invoices_credit_notes_and_difference_documents()
    {
        var (first, provider) = await GivenProviderContract();
        var second = await GivenContract(body => body.With("provider.id", provider));

        var a = await Invoice(first, provider, 2021, 1);
        var b = await Invoice(second, provider, 2021, 1);
        await AmendFee(first, 200_000m, "2021-02-01");
        var supplementary = await Adjustment(a, provider);
        var credit = await CreditNote(Id(b), provider);
        var again = await Invoice(second, provider, 2021, 1);

        Assert.Equal(
            Enumerable.Range(1, 5).Select(n => $"BO-{ThisYear}-{n:0000}"),
            new[] { a, b, supplementary, credit, again }.Select(d => (string)d["number"]!));
    }

    private async Task AnsweredAfter(string contract, string provider, string offeredAt, int seconds)
    {
        var acd = Tokens.For("service-centre", provider, "acd");
        var callId = UniqueId("c");
        await Post("/api/calls", new JsonObject { ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = offeredAt }, acd, 201);
        await Post($"/api/calls/{callId}/answered", new JsonObject
        {
            ["answeredAt"] = DateTimeOffset.Parse(offeredAt, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(seconds).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            ["agentId"] = "agent-01",
        }, acd);
    }
}
