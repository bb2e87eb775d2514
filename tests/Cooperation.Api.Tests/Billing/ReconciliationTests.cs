using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

public class ReconciliationTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task The_year_ties_to_the_cent_with_the_invoices_and_the_quarterly_reports()
    {
        var (contract, provider) = await GivenProviderContract();
        var q1 = await Invoice(contract, provider, 2021, 1);
        var q2 = await Invoice(contract, provider, 2021, 2);
        var wrong = await Invoice(contract, provider, 2021, 3);
        await CreditNote(Id(wrong), provider);
        var q3 = await Invoice(contract, provider, 2021, 3);
        await Pay(Id(q1), provider, 45_000.00m, (string)q1["issuedOn"]!);
        await Pay(Id(q2), provider, 10_000.00m, (string)q2["issuedOn"]!);

        var year = await Reconciliation(contract, 2021, FinanceOf("castrop-rauxel"));

        JsonAssert.Equal(JsonNode.Parse("""
            { "feeDue": 180000.00, "invoiced": 180000.00, "credited": 45000.00, "paid": 55000.00, "openBalance": 80000.00, "difference": 45000.00 }
            """)!, Pick(year, "feeDue", "invoiced", "credited", "paid", "openBalance", "difference"));
        var quarters = year["quarters"]!.AsArray();
        Assert.Equal([1, 2, 3, 4], quarters.Select(q => (int)q!["quarter"]!));
        Assert.Equal([45_000.00m, 45_000.00m, 90_000.00m, 0m], quarters.Select(q => Money(q!["invoiced"])));
        Assert.Equal([0m, 35_000.00m, 45_000.00m, 0m], quarters.Select(q => Money(q!["openBalance"])));
        Assert.Equal(3, quarters[2]!["documents"]!.AsArray().Count);
        Assert.Equal(45_000.00m, Money(quarters[3]!["difference"]));

        // Every figure is the sum of the documents it names, and the fee due is the report's.
        foreach (var quarter in quarters)
        {
            var documents = quarter!["documents"]!.AsArray();
            Assert.Equal(Money(quarter["invoiced"]), documents.Where(d => (string)d!["kind"]! != "credit-note").Sum(d => Money(d!["amount"])));
            Assert.Equal(Money(quarter["credited"]), documents.Where(d => (string)d!["kind"]! == "credit-note").Sum(d => Money(d!["amount"])));
            Assert.Equal(Money(quarter["paid"]), documents.Sum(d => Money(d!["paid"])));
            var report = await Get($"/api/reports/quarterly/{contract}/2021/{(int)quarter["quarter"]!}", FinanceOf(provider));
            Assert.Equal(Money(report["cost"]!["feeDue"]), Money(quarter["feeDue"]));
        }

        Assert.Equal(Money(year["feeDue"]), quarters.Sum(q => Money(q!["feeDue"])));
    }

    [Fact]
    public async Task The_first_year_is_pro_rata_and_the_service_figures_cover_the_years_calls()
    {
        var (contract, provider) = await GivenProviderContract();

        var year = await Reconciliation(contract, 2020, Tokens.Auditor);

        Assert.Equal(29_347.83m, Money(year["feeDue"]));
        Assert.Equal([0m, 0m, 0m, 29_347.83m], year["quarters"]!.AsArray().Select(q => Money(q!["feeDue"])));
        Assert.Equal("not-subject", (string)year["vat"]!);
        Assert.Equal("0.00", year["credited"]!.ToJsonString()); // money always with two decimals
        Assert.Equal("0.00", year["quarters"]![0]!["invoiced"]!.ToJsonString());
        Assert.Equal(0, (int)year["service"]!["kpis"]!["offered"]!);
        Assert.Null(year["service"]!["costPerAnsweredCall"]);
    }

    [Fact]
    public async Task Under_vat_the_fee_due_is_net_and_what_is_invoiced_paid_and_open_is_gross()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.vatId", "DE811234567"));
        var invoice = await Invoice(contract, provider, 2021, 1);
        await Pay(Id(invoice), provider, 50_000.00m, (string)invoice["issuedOn"]!);

        var q1 = (await Reconciliation(contract, 2021, FinanceOf(provider)))["quarters"]![0]!;

        Assert.Equal((45_000.00m, 53_550.00m, 50_000.00m, 3_550.00m, 0m),
            (Money(q1["feeDue"]), Money(q1["invoiced"]), Money(q1["paid"]), Money(q1["openBalance"]), Money(q1["difference"])));
    }

    [Fact]
    public async Task Bad_requests()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("endsOn", "2022-06-30"));

        await RefusedGet($"/api/reconciliation/{contract}/twenty", FinanceOf(provider), 400, "year");
        await RefusedGet($"/api/reconciliation/{contract}/1999", FinanceOf(provider), 400, "year");
        await RefusedGet($"/api/reconciliation/{contract}/2019", FinanceOf(provider), 409, "year");
        await RefusedGet($"/api/reconciliation/{contract}/2023", FinanceOf(provider), 409, "year");
        await RefusedGet($"/api/reconciliation/no-such-contract/2021", FinanceOf(provider), 404);
        await RefusedGet($"/api/reconciliation/{contract}/2021", FinanceOf("herne"), 404);
        await RefusedGet($"/api/reconciliation/{contract}/2021", Tokens.For("department", "castrop-rauxel"), 403);
        Assert.Equal(90_000.00m, Money((await Reconciliation(contract, 2022, FinanceOf(provider)))["feeDue"]));
    }

    private static JsonObject Pick(JsonObject source, params string[] names) =>
        new(names.Select(n => KeyValuePair.Create(n, source[n]?.DeepClone())));
}
