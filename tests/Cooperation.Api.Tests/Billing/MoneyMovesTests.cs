using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>
/// Money that moves (domain §3, issue 14 item 6): refunds of what was paid beyond what is owed, transfers between
/// invoices of one contract, a cancelled invoice that owes nothing, and a reconciliation that still ties.
/// </summary>
public class MoneyMovesTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task An_overpayment_is_refunded_up_to_what_was_paid_beyond_the_amount_and_the_year_still_ties()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var day = (string)invoice["issuedOn"]!;
        await Pay(Id(invoice), provider, 46_000m, day);

        await Refused($"/api/invoices/{Id(invoice)}/refunds", Refund(1_000.01m, day), FinanceOf(provider), 409, "amount");
        var refunded = (await Post($"/api/invoices/{Id(invoice)}/refunds", Refund(1_000m, day, "R-1"), FinanceOf(provider), 201)).AsObject();
        var before = await Fixture.EventCountAsync();
        var again = (await Post($"/api/invoices/{Id(invoice)}/refunds", Refund(1_000m, day, "R-1"), FinanceOf(provider), 200)).AsObject();

        Assert.Equal(before, await Fixture.EventCountAsync());
        await Refused($"/api/invoices/{Id(invoice)}/refunds", Refund(500m, day, "R-1"), FinanceOf(provider), 409, "reference"); // one reference, one refund
        Assert.Equal((1_000.00m, 0.00m, "paid"), ((decimal)refunded["refunded"]!, (decimal)refunded["balance"]!, (string)refunded["status"]!));
        JsonAssert.Equal(refunded, again);

        var q1 = (await Reconciliation(contract, 2021, FinanceOf(provider)))["quarters"]![0]!;
        Assert.Equal((45_000.00m, 46_000.00m, 1_000.00m, 0.00m),
            ((decimal)q1["invoiced"]!, (decimal)q1["paid"]!, (decimal)q1["refunded"]!, (decimal)q1["openBalance"]!));
    }

    [Fact]
    public async Task A_cancelled_invoice_owes_nothing_and_what_was_paid_on_it_moves_to_its_replacement()
    {
        var (contract, provider) = await GivenProviderContract();
        var first = await Invoice(contract, provider, 2021, 1);
        var day = (string)first["issuedOn"]!;
        await Pay(Id(first), provider, 20_000m, day);
        await CreditNote(Id(first), provider);
        var replacement = await Invoice(contract, provider, 2021, 1);

        var cancelled = (await Get($"/api/invoices/{Id(first)}", FinanceOf(provider))).AsObject();
        Assert.Equal(("cancelled", -20_000.00m), ((string)cancelled["status"]!, (decimal)cancelled["balance"]!)); // owes nothing, holds 20,000

        await Refused($"/api/invoices/{Id(first)}/payment-transfers", Transfer(Id(replacement), 20_000.01m, day), FinanceOf(provider), 409, "amount");
        var moved = (await Post($"/api/invoices/{Id(first)}/payment-transfers", Transfer(Id(replacement), 20_000m, day), FinanceOf(provider), 201)).AsObject();
        var before = await Fixture.EventCountAsync();
        await Post($"/api/invoices/{Id(first)}/payment-transfers", Transfer(Id(replacement), 20_000m, day), FinanceOf(provider), 200);
        Assert.Equal(before, await Fixture.EventCountAsync());

        Assert.Equal((0.00m, 0.00m), ((decimal)moved["paid"]!, (decimal)moved["balance"]!));
        Assert.Equal(-20_000.00m, (decimal)moved["transfers"]![0]!["amount"]!);
        var target = (await Get($"/api/invoices/{Id(replacement)}", FinanceOf(provider))).AsObject();
        Assert.Equal((20_000.00m, 25_000.00m, "open"), ((decimal)target["paid"]!, (decimal)target["balance"]!, (string)target["status"]!));
        Assert.Equal(Id(first), (string)target["transfers"]![0]!["invoiceId"]!);

        var year = await Reconciliation(contract, 2021, FinanceOf(provider));
        var q1 = year["quarters"]![0]!;
        Assert.Equal((90_000.00m, 45_000.00m, 20_000.00m, 0.00m, 25_000.00m),
            ((decimal)q1["invoiced"]!, (decimal)q1["credited"]!, (decimal)q1["paid"]!, (decimal)q1["refunded"]!, (decimal)q1["openBalance"]!));
        Assert.Equal((decimal)year["invoiced"]! - (decimal)year["credited"]! - (decimal)year["paid"]! + (decimal)year["refunded"]!, (decimal)year["openBalance"]!);
    }

    [Fact]
    public async Task A_transfer_goes_only_to_another_live_invoice_of_the_same_contract()
    {
        var (contract, provider) = await GivenProviderContract();
        var q1 = await Invoice(contract, provider, 2021, 1);
        var day = (string)q1["issuedOn"]!;
        await Pay(Id(q1), provider, 50_000m, day); // 5,000 beyond what it owes
        var other = await GivenContract(body => body.With("provider.id", provider));
        var otherInvoice = await Invoice(other, provider, 2021, 1);
        var note = await CreditNote(Id(otherInvoice), provider);
        var (strangersContract, stranger) = await GivenProviderContract();
        var strangersInvoice = await Invoice(strangersContract, stranger, 2021, 1);
        var before = await Fixture.EventCountAsync();

        await Refused($"/api/invoices/{Id(q1)}/payment-transfers", Transfer(Id(q1), 1m, day), FinanceOf(provider), 409, "toInvoiceId");
        await Refused($"/api/invoices/{Id(q1)}/payment-transfers", Transfer("no-such-invoice", 1m, day), FinanceOf(provider), 404, "toInvoiceId");
        await Refused($"/api/invoices/{Id(q1)}/payment-transfers", Transfer(Id(strangersInvoice), 1m, day), FinanceOf(provider), 404, "toInvoiceId");
        await Refused($"/api/invoices/{Id(q1)}/payment-transfers", Transfer(Id(otherInvoice), 1m, day), FinanceOf(provider), 409, "toInvoiceId");
        await Refused($"/api/invoices/{Id(q1)}/payment-transfers", Transfer(Id(note), 1m, day), FinanceOf(provider), 409, "toInvoiceId");
        await Refused($"/api/invoices/{Id(q1)}/payment-transfers", new JsonObject { ["amount"] = 1m, ["transferredOn"] = day }, FinanceOf(provider), 400, "toInvoiceId");
        await Refused($"/api/invoices/{Id(q1)}/refunds", new JsonObject { ["refundedOn"] = day }, FinanceOf(provider), 400, "amount");
        await Refused($"/api/invoices/{Id(q1)}/refunds", Refund(1m, "2999-01-01"), FinanceOf(provider), 400, "refundedOn");
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    private static JsonObject Refund(decimal amount, string on, string? reference = null) =>
        new() { ["amount"] = amount, ["refundedOn"] = on, ["reference"] = reference };

    private static JsonObject Transfer(string to, decimal amount, string on) =>
        new() { ["toInvoiceId"] = to, ["amount"] = amount, ["transferredOn"] = on };
}
