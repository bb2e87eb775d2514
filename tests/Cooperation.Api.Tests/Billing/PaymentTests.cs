using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

public class PaymentTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task Partial_complete_and_overpaid()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var issuedOn = (string)invoice["issuedOn"]!;

        var partial = await Pay(Id(invoice), provider, 20_000.00m, issuedOn, "SEPA-0001");
        Assert.Equal(("open", 20_000.00m, 25_000.00m), ((string)partial["status"]!, Money(partial["paid"]), Money(partial["balance"])));

        var complete = await Pay(Id(invoice), provider, 25_000.00m, issuedOn, "SEPA-0002");
        Assert.Equal(("paid", 0m), ((string)complete["status"]!, Money(complete["balance"])));

        var over = await Pay(Id(invoice), provider, 0.01m, issuedOn);
        Assert.Equal(("overpaid", -0.01m), ((string)over["status"]!, Money(over["balance"])));
        Assert.Equal(3, over["payments"]!.AsArray().Count);

        var year = await Reconciliation(contract, 2021, FinanceOf("castrop-rauxel"));
        Assert.Equal((45_000.01m, -0.01m), (Money(year["paid"]), Money(year["openBalance"])));
    }

    [Fact]
    public async Task A_payment_told_again_with_its_reference_is_stored_once()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var issuedOn = (string)invoice["issuedOn"]!;
        await Pay(Id(invoice), provider, 100m, issuedOn, "KA-2021-77");

        var again = await Pay(Id(invoice), provider, 100m, issuedOn, "KA-2021-77", status: 200);

        Assert.Single(again["payments"]!.AsArray());
        await Refused($"/api/invoices/{Id(invoice)}/payments", new JsonObject { ["amount"] = 101m, ["paidOn"] = issuedOn, ["reference"] = "KA-2021-77" },
            FinanceOf(provider), 409, "reference");

        await CreditNote(Id(invoice), provider);
        var afterCancel = await Pay(Id(invoice), provider, 100m, issuedOn, "KA-2021-77", status: 200); // still the retry it is
        Assert.Single(afterCancel["payments"]!.AsArray());
    }

    [Fact]
    public async Task A_payment_without_reference_sent_again_is_stored_once_and_amounts_read_with_two_decimals()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var issuedOn = (string)invoice["issuedOn"]!;

        await Pay(Id(invoice), provider, 12.5m, issuedOn);
        var again = await Pay(Id(invoice), provider, 12.5m, issuedOn, status: 200);
        var other = await Pay(Id(invoice), provider, 7m, issuedOn, "KA-1");

        Assert.Single(again["payments"]!.AsArray());
        Assert.Equal("12.50", other["payments"]![0]!["amount"]!.ToJsonString());
        Assert.Equal("19.50", other["paid"]!.ToJsonString());
        Assert.Equal("0.00", invoice["vatAmount"]!.ToJsonString());
        Assert.Equal("0.00", invoice["credited"]!.ToJsonString());
    }

    [Fact]
    public async Task Bad_payments_are_refused_and_store_nothing()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var url = $"/api/invoices/{Id(invoice)}/payments";
        var issuedOn = (string)invoice["issuedOn"]!;
        var token = FinanceOf(provider);
        JsonObject Body(JsonNode? amount, string? paidOn) => new() { ["amount"] = amount, ["paidOn"] = paidOn };

        await Refused(url, Body(-5m, issuedOn), token, 400, "amount");
        await Refused(url, Body(0m, issuedOn), token, 400, "amount");
        await Refused(url, Body(10.005m, issuedOn), token, 400, "amount", "two decimals");
        await Refused(url, Body(null, issuedOn), token, 400, "amount");
        await Refused(url, Body(10m, null), token, 400, "paidOn");
        await Refused(url, Body(10m, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2).ToString("yyyy-MM-dd")), token, 400, "paidOn", "future");
        await Refused(url, Body(10m, "2020-12-31"), token, 409, "paidOn", "precede");
        await Refused(url, """{ "amount": "ten", "paidOn": "2026-01-01" }""", token, 400, "amount");
        await Refused(url, Body(10m, issuedOn), FinanceOf("castrop-rauxel"), 403);
        await Refused(url, Body(10m, issuedOn), Tokens.Auditor, 403);

        var creditNote = await CreditNote(Id(invoice), provider);
        await Refused(url, Body(10m, issuedOn), token, 409, "invoiceId", "cancelled");
        await Refused($"/api/invoices/{Id(creditNote)}/payments", Body(10m, issuedOn), token, 409, "invoiceId", "credit note");
    }
}
