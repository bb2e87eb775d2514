using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>Party data changes (issue 14, item 5): effective-dated, checked as at signing, carried by documents from their day on.</summary>
public class PartyChangeTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task Documents_issued_from_the_day_of_a_party_change_carry_the_new_data_and_earlier_ones_never_change()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var today = (string)invoice["issuedOn"]!;

        var change = new JsonObject
        {
            ["party"] = "provider", ["effectiveFrom"] = today, ["contactPhone"] = "+49 234 910-1234", ["iban"] = "DE89 3704 0044 0532 0130 00",
        };
        var changed = (await Post($"/api/contracts/{contract}/party-changes", change, Tokens.ContractAdmin())).AsObject();
        var before = await Fixture.EventCountAsync();
        await Post($"/api/contracts/{contract}/party-changes", change, Tokens.ContractAdmin()); // a repeat
        Assert.Equal(before, await Fixture.EventCountAsync());
        await Post($"/api/contracts/{contract}/party-changes",
            new JsonObject { ["party"] = "client", ["effectiveFrom"] = today, ["street"] = "Europaplatz 1a" }, Tokens.ContractAdmin());

        Assert.Equal("+49 234 910-1234", (string)changed["provider"]!["contactPhone"]!);
        Assert.Equal("DE89370400440532013000", (string)changed["provider"]!["iban"]!);
        var note = await CreditNote(Id(invoice), provider);
        Assert.Equal(("+49 234 910-1234", "DE89370400440532013000", "Europaplatz 1a"),
            ((string)note["seller"]!["contactPhone"]!, (string)note["seller"]!["iban"]!, (string)note["buyer"]!["street"]!));
        var original = (await Get($"/api/invoices/{Id(invoice)}", FinanceOf(provider))).AsObject();
        Assert.Equal(("+49 234 910-0", "Europaplatz 1"), ((string)original["seller"]!["contactPhone"]!, (string)original["buyer"]!["street"]!));
    }

    [Theory]
    [InlineData("provider", "contactPhone", "", "contactPhone")]
    [InlineData("provider", "contactName", " ", "contactName")]
    [InlineData("provider", "iban", "DE00 1234", "iban")]
    [InlineData("provider", "leitwegId", "05916004-0001-21", "leitwegId")]
    [InlineData("client", "iban", "DE89370400440532013000", "iban")]
    [InlineData("client", "leitwegId", "05916004-0001-99", "leitwegId")]
    [InlineData("vendor", "name", "Stadt", "party")]
    public async Task A_change_is_checked_as_at_signing_and_never_removes_what_invoices_carry(string party, string field, string value, string named)
    {
        var (contract, _) = await GivenProviderContract();
        var before = await Fixture.EventCountAsync();

        await Refused($"/api/contracts/{contract}/party-changes",
            new JsonObject { ["party"] = party, ["effectiveFrom"] = "2021-01-01", [field] = value }, Tokens.ContractAdmin(), 400, named);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task Under_standard_vat_a_change_keeps_a_vat_id_or_a_tax_number()
    {
        var (contract, _) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.vatId", "DE811234567"));
        await Refused($"/api/contracts/{contract}/party-changes",
            new JsonObject { ["party"] = "provider", ["effectiveFrom"] = "2021-01-01", ["vatId"] = "" }, Tokens.ContractAdmin(), 400, "vatId");
        await Post($"/api/contracts/{contract}/party-changes",
            new JsonObject { ["party"] = "provider", ["effectiveFrom"] = "2021-01-01", ["taxNumber"] = "350/5726/1234" }, Tokens.ContractAdmin());
    }
}
