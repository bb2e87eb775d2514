using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>Corrections never edit: credit notes cancel, adjustments settle a difference found later.</summary>
public class CorrectionTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task A_credit_note_has_its_own_number_references_the_invoice_and_cancels_it()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);

        var creditNote = await CreditNote(Id(invoice), provider, "Falsche Anschrift der Empfängerin");

        Assert.Equal(("credit-note", "issued", true), ((string)creditNote["kind"]!, (string)creditNote["status"]!, (bool)creditNote["cancels"]!));
        Assert.Equal($"BO-{ThisYear}-0002", (string)creditNote["number"]!);
        Assert.Equal(45_000.00m, Money(creditNote["amount"]));
        Assert.Null(creditNote["dueOn"]);
        Assert.Equal("Falsche Anschrift der Empfängerin", (string)creditNote["reason"]!);
        var reference = Assert.Single(creditNote["references"]!.AsArray())!;
        Assert.Equal(((string)invoice["number"]!, Id(invoice)), ((string)reference["number"]!, (string)reference["invoiceId"]!));

        var cancelled = await Get($"/api/invoices/{Id(invoice)}", FinanceOf(provider));
        Assert.Equal("cancelled", (string)cancelled["status"]!);
        Assert.Equal((string)creditNote["number"]!, (string)cancelled["cancelledBy"]!["number"]!);
        Assert.Equal(45_000.00m, Money(cancelled["amount"])); // the invoice itself is unchanged
    }

    [Fact]
    public async Task Credit_notes_are_refused_on_credit_notes_cancelled_invoices_and_adjustments()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var creditNote = await CreditNote(Id(invoice), provider);
        var body = new JsonObject { ["reason"] = "noch einmal" };

        await Refused($"/api/invoices/{Id(creditNote)}/credit-note", body, FinanceOf(provider), 409, "invoiceId", "is a credit note");
        await Refused($"/api/invoices/{Id(invoice)}/credit-note", body, FinanceOf(provider), 409, "invoiceId", "cancelled already");
        await Refused($"/api/invoices/{Id(invoice)}/credit-note", new JsonObject(), FinanceOf(provider), 400, "reason");
        await Refused($"/api/invoices/{Id(invoice)}/credit-note", body, FinanceOf("castrop-rauxel"), 403);
        await Refused("/api/invoices/no-such-invoice/credit-note", body, FinanceOf(provider), 404);
    }

    [Fact]
    public async Task The_same_cancellation_sent_four_times_at_once_issues_one_credit_note()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);

        var results = await Racing($"/api/invoices/{Id(invoice)}/credit-note", """{ "reason": "doppelt" }""", FinanceOf(provider), 4);

        Assert.Equal([200, 200, 200, 201], results.Select(r => r.Context.Response.StatusCode).Order());
        var numbers = new HashSet<string>();
        foreach (var result in results)
        {
            numbers.Add((string)JsonNode.Parse(await result.ReadAsTextAsync())!["number"]!);
        }

        Assert.Single(numbers);
        var reconciliation = await Reconciliation(contract, 2021, FinanceOf(provider));
        Assert.Equal(45_000.00m, Money(reconciliation["quarters"]![0]!["credited"]));
    }

    [Fact]
    public async Task A_fee_amendment_dated_back_shows_as_a_difference_that_a_supplementary_invoice_settles_exactly()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 2);
        await Post($"/api/contracts/{contract}/fee-amendments", new JsonObject { ["annualFee"] = 200_000m, ["effectiveFrom"] = "2021-05-01" }, Tokens.ContractAdmin());

        var before = await Reconciliation(contract, 2021, FinanceOf(provider));
        var q2 = before["quarters"]![1]!;
        Assert.Equal((48_351.65m, 45_000.00m, 3_351.65m), (Money(q2["feeDue"]), Money(q2["invoiced"]), Money(q2["difference"])));

        var supplementary = (await Post($"/api/invoices/{Id(invoice)}/adjustments", new JsonObject { ["reason"] = "Entgelt ab 1. Mai 200.000 €" }, FinanceOf(provider), 201)).AsObject();

        Assert.Equal(("supplementary-invoice", 3_351.65m), ((string)supplementary["kind"]!, Money(supplementary["amount"])));
        Assert.Equal((string)invoice["number"]!, (string)supplementary["references"]![0]!["number"]!);
        Assert.NotNull(supplementary["dueOn"]);
        var after = await Reconciliation(contract, 2021, FinanceOf(provider));
        Assert.Equal((48_351.65m, 0m), (Money(after["quarters"]![1]!["invoiced"]), Money(after["quarters"]![1]!["difference"])));
        Assert.Equal("open", (string)(await Get($"/api/invoices/{Id(invoice)}", FinanceOf(provider)))["status"]!); // unchanged

        await Refused($"/api/invoices/{Id(invoice)}/adjustments", new JsonObject(), FinanceOf(provider), 409, "invoiceId", "no difference");
        await Refused($"/api/invoices/{Id(supplementary)}/adjustments", new JsonObject(), FinanceOf(provider), 409, "invoiceId");
    }

    [Fact]
    public async Task A_lower_fee_dated_back_is_credited_for_exactly_the_difference_without_cancelling_the_invoice()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 3);
        await Post($"/api/contracts/{contract}/fee-amendments", new JsonObject { ["annualFee"] = 160_000m, ["effectiveFrom"] = "2021-07-01" }, Tokens.ContractAdmin());

        var credit = (await Post($"/api/invoices/{Id(invoice)}/adjustments", new JsonObject(), FinanceOf(provider), 201)).AsObject();

        Assert.Equal(("credit-note", false, 5_000.00m), ((string)credit["kind"]!, (bool)credit["cancels"]!, Money(credit["amount"])));
        var q3 = (await Reconciliation(contract, 2021, FinanceOf(provider)))["quarters"]![2]!;
        Assert.Equal((40_000.00m, 45_000.00m, 5_000.00m, 0m, 40_000.00m),
            (Money(q3["feeDue"]), Money(q3["invoiced"]), Money(q3["credited"]), Money(q3["difference"]), Money(q3["openBalance"])));
        var credited = await Get($"/api/invoices/{Id(invoice)}", FinanceOf(provider));
        Assert.Equal(("open", 5_000.00m, 40_000.00m), ((string)credited["status"]!, Money(credited["credited"]), Money(credited["balance"])));

        // Paying what is left settles the invoice, as the reconciliation says.
        var paid = await Pay(Id(invoice), provider, 40_000.00m, (string)invoice["issuedOn"]!);
        Assert.Equal(("paid", 0m), ((string)paid["status"]!, Money(paid["balance"])));
    }

    [Fact]
    public async Task Cancelling_an_adjusted_invoice_cancels_its_adjustments_and_the_quarter_is_billed_afresh()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 2);
        await Post($"/api/contracts/{contract}/fee-amendments", new JsonObject { ["annualFee"] = 200_000m, ["effectiveFrom"] = "2021-05-01" }, Tokens.ContractAdmin());
        var supplementary = (await Post($"/api/invoices/{Id(invoice)}/adjustments", new JsonObject(), FinanceOf(provider), 201)).AsObject();

        var creditNote = await CreditNote(Id(invoice), provider);

        Assert.Equal(48_351.65m, Money(creditNote["amount"]));
        Assert.Equal(2, creditNote["references"]!.AsArray().Count);
        Assert.Equal("cancelled", (string)(await Get($"/api/invoices/{Id(supplementary)}", FinanceOf(provider)))["status"]!);
        var fresh = await Invoice(contract, provider, 2021, 2);
        Assert.Equal(48_351.65m, Money(fresh["amount"]));
        var q2 = (await Reconciliation(contract, 2021, FinanceOf(provider)))["quarters"]![1]!;
        Assert.Equal((96_703.30m, 48_351.65m, 0m), (Money(q2["invoiced"]), Money(q2["credited"]), Money(q2["difference"])));
    }
}
