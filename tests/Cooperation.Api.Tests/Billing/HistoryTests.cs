using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>Auditors replay billing: a document at a version or an instant, the reconciliation as known that day; lists.</summary>
public class HistoryTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task A_document_reads_as_it_was_at_each_version_and_instant()
    {
        var (contract, provider) = await GivenProviderContract();
        var beforeIssue = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var invoice = await Invoice(contract, provider, 2021, 1);
        await Task.Delay(50);
        var issued = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await Pay(Id(invoice), provider, 45_000m, (string)invoice["issuedOn"]!);
        await CreditNote(Id(invoice), provider);
        var url = $"/api/invoices/{Id(invoice)}";

        var v1 = await Get($"{url}?version=1", Tokens.Auditor);
        var v2 = await Get($"{url}?version=2", Tokens.Auditor);
        var atIssue = await Get($"{url}?asOf={Uri.EscapeDataString(issued.ToString("O"))}", Tokens.Auditor);
        var now = await Get(url, Tokens.Auditor);

        Assert.Equal(("open", 0), ((string)v1["status"]!, v1["payments"]!.AsArray().Count));
        Assert.Equal(("paid", 1), ((string)v2["status"]!, v2["payments"]!.AsArray().Count));
        JsonAssert.Equal(v1, atIssue);
        Assert.Equal(("cancelled", 3L), ((string)now["status"]!, (long)now["version"]!));
        await RefusedGet($"{url}?version=4", Tokens.Auditor, 404);
        await RefusedGet($"{url}?asOf={Uri.EscapeDataString(beforeIssue.ToString("O"))}", Tokens.Auditor, 404);
        await RefusedGet($"{url}?asOf=yesterday", Tokens.Auditor, 400, "asOf");
        await RefusedGet($"{url}?version=0", Tokens.Auditor, 400, "version");
        await RefusedGet($"{url}?version=1&asOf={Uri.EscapeDataString(issued.ToString("O"))}", Tokens.Auditor, 400, "$");
        await RefusedGet($"{url}?version=1", FinanceOf("herne"), 404);
    }

    [Fact]
    public async Task The_reconciliation_as_known_on_a_day_shows_only_what_was_recorded_by_then()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 2);
        await Task.Delay(50);
        var invoicedAt = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await Post($"/api/contracts/{contract}/fee-amendments", new JsonObject { ["annualFee"] = 200_000m, ["effectiveFrom"] = "2021-05-01" }, Tokens.ContractAdmin());
        await Pay(Id(invoice), provider, 45_000m, (string)invoice["issuedOn"]!);

        await Fixture.ProjectionsCaughtUpAsync();
        var then = (await Get($"/api/reconciliation/{contract}/2021?asOf={Uri.EscapeDataString(invoicedAt.ToString("O"))}", Tokens.Auditor)).AsObject();
        var now = await Reconciliation(contract, 2021, Tokens.Auditor);

        Assert.Equal(invoicedAt, then["asOf"]!.GetValue<DateTimeOffset>());
        Assert.Equal((45_000.00m, 45_000.00m, 0m, 45_000.00m, 0m),
            (Money(then["quarters"]![1]!["feeDue"]), Money(then["quarters"]![1]!["invoiced"]), Money(then["quarters"]![1]!["paid"]), Money(then["quarters"]![1]!["openBalance"]), Money(then["quarters"]![1]!["difference"])));
        Assert.Equal((48_351.65m, 45_000.00m, 0m, 3_351.65m),
            (Money(now["quarters"]![1]!["feeDue"]), Money(now["quarters"]![1]!["paid"]), Money(now["quarters"]![1]!["openBalance"]), Money(now["quarters"]![1]!["difference"])));
        Assert.Null(now["asOf"]);
        await RefusedGet($"/api/reconciliation/{contract}/2021?asOf=2019-01-01T00:00:00Z", Tokens.Auditor, 404); // not signed yet
        await RefusedGet($"/api/reconciliation/{contract}/2021?asOf=2021-04-01T00:00:00", Tokens.Auditor, 400, "asOf");
    }

    [Fact]
    public async Task A_contracts_documents_are_listed_in_number_order_by_year_and_status()
    {
        var (contract, provider) = await GivenProviderContract();
        var first = await Invoice(contract, provider, 2021, 1);
        await CreditNote(Id(first), provider);
        await Invoice(contract, provider, 2021, 1);
        await Invoice(contract, provider, 2022, 1);
        var token = FinanceOf("castrop-rauxel");

        var all = (await Get($"/api/invoices?contractId={contract}", token)).AsArray();
        var y2021 = (await Get($"/api/invoices?contractId={contract}&year=2021", token)).AsArray();
        var open = (await Get($"/api/invoices?contractId={contract}&status=open,overpaid", token)).AsArray();

        Assert.Equal(Enumerable.Range(1, 4).Select(n => $"BO-{ThisYear}-{n:0000}"), all.Select(d => (string)d!["number"]!));
        Assert.Equal(3, y2021.Count);
        Assert.Equal(["invoice", "invoice"], open.Select(d => (string)d!["kind"]!));
        await RefusedGet("/api/invoices", token, 400, "contractId");
        await RefusedGet($"/api/invoices?contractId={contract}&status=unpaid", token, 400, "status");
        await RefusedGet($"/api/invoices?contractId={contract}&year=21", token, 400, "year");
        await RefusedGet($"/api/invoices?contractId={contract}", FinanceOf("herne"), 404);
    }
}
