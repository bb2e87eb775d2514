using System.Text;
using System.Text.Json.Nodes;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>
/// Every kind of document the service issues, fetched as XRechnung over HTTP and checked against the official
/// rules (UBL 2.1 XSD, CEN EN 16931, XRechnung CIUS; see XRechnungRules/README.md) in one validator run.
/// </summary>
public class OfficialValidationTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task Every_kind_of_document_passes_the_official_XRechnung_rules_with_no_error()
    {
        var documents = new Dictionary<string, byte[]>();

        // Not subject to VAT: the quarter's invoice, and the credit note that cancels it.
        var (plain, plainProvider) = await GivenProviderContract();
        var invoice = await Invoice(plain, plainProvider, 2021, 1);
        documents["invoice, not subject to VAT"] = await XRechnungOf(invoice, plainProvider);
        documents["credit note cancelling an invoice"] = await XRechnungOf(await CreditNote(Id(invoice), plainProvider), plainProvider);

        // Standard VAT, with the provider's VAT id the rules require (BR-S-02, BR-DE-16).
        var (standard, standardProvider) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.vatId", "DE811234567"));
        documents["invoice, standard VAT"] = await XRechnungOf(await Invoice(standard, standardProvider, 2021, 1), standardProvider);

        // Differences after a fee amendment dated back: a supplementary invoice, then a credit note for a difference.
        var (adjusted, adjustedProvider) = await GivenProviderContract();
        var q2 = await Invoice(adjusted, adjustedProvider, 2021, 2);
        await AmendFee(adjusted, 200_000m, "2021-05-01");
        documents["supplementary invoice for a difference"] = await XRechnungOf(await Adjustment(q2, adjustedProvider), adjustedProvider);
        var q3 = await Invoice(adjusted, adjustedProvider, 2021, 3);
        await AmendFee(adjusted, 160_000m, "2021-07-01");
        documents["credit note for a difference"] = await XRechnungOf(await Adjustment(q3, adjustedProvider), adjustedProvider);

        // Several service lines and a fee change inside the quarter, under standard VAT.
        var (lines, linesProvider) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.vatId", "DE811234567"));
        await Post($"/api/contracts/{lines}/service-lines",
            new JsonObject { ["code"] = "ordnungswesen", ["name"] = "Ordnungswesen", ["from"] = "2021-08-02" }, Tokens.ContractAdmin());
        await AmendFee(lines, 210_000m, "2021-08-16");
        var split = await Invoice(lines, linesProvider, 2021, 3);
        Assert.True(split["lines"]!.AsArray().Count > 1, $"expected several lines: {split.ToJsonString()}");
        documents["invoice, several service lines and a fee change inside the quarter"] = await XRechnungOf(split, linesProvider);

        // Party data changed before issue: the document carries the new data (issue 14, item 5).
        var (moved, movedProvider) = await GivenProviderContract();
        await Post($"/api/contracts/{moved}/party-changes", new JsonObject
        {
            ["party"] = "provider", ["effectiveFrom"] = "2021-01-01", ["street"] = "Gustav-Heinemann-Platz 2", ["postalCode"] = "44787",
            ["contactName"] = "Bürgerservice 115", ["iban"] = "DE89 3704 0044 0532 0130 00",
        }, Tokens.ContractAdmin());
        await Post($"/api/contracts/{moved}/party-changes", new JsonObject
        {
            ["party"] = "client", ["effectiveFrom"] = "2021-01-01", ["name"] = "Stadt Castrop-Rauxel, Der Bürgermeister", ["street"] = "Europaplatz 2",
        }, Tokens.ContractAdmin());
        documents["invoice after party changes"] = await XRechnungOf(await Invoice(moved, movedProvider, 2021, 1), movedProvider);

        // Standard VAT with the provider's tax number instead of a VAT id (BT-32, which BR-S-02 and BR-DE-16 accept).
        var (taxNumber, taxNumberProvider) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.taxNumber", "350/5726/1234"));
        documents["invoice, standard VAT with a tax number"] = await XRechnungOf(await Invoice(taxNumber, taxNumberProvider, 2021, 1), taxNumberProvider);

        var findings = await XRechnungValidator.ValidateAsync(documents);

        var errors = findings
            .Select(d => (Document: d.Key, Errors: d.Value.Where(f => f.Level == "error").ToList()))
            .Where(d => d.Errors.Count > 0)
            .ToList();
        Assert.True(errors.Count == 0, Report(errors, documents));
    }

    /// <summary>What the rules would reject is refused where it enters: at signing (issue 14, item 2).</summary>
    [Theory]
    [InlineData("provider.contactName", null, "provider.contactName")]
    [InlineData("provider.contactPhone", null, "provider.contactPhone")]
    [InlineData("provider.contactPhone", "call us", "provider.contactPhone")]
    [InlineData("provider.taxNumber", "12-34", "provider.taxNumber")]
    [InlineData("provider.taxNumber", "1////////1", "provider.taxNumber")]
    [InlineData("provider.taxNumber", "12345678901234567890", "provider.taxNumber")]
    public async Task Signing_without_what_every_invoice_must_carry_is_400_naming_the_field(string field, string? value, string named)
    {
        var body = ContractRequests.Sign(UniqueId("contract"), UniqueId("city"));
        await Refused("/api/contracts", value is null ? body.Without(field) : body.With(field, value), Tokens.ContractAdmin(), 400, named);
    }

    [Fact]
    public async Task Standard_vat_needs_the_providers_vat_id_or_tax_number_at_signing()
    {
        var body = ContractRequests.Sign(UniqueId("contract"), UniqueId("city")).With("vat", "standard");
        await Refused("/api/contracts", body, Tokens.ContractAdmin(), 400, "provider.vatId");

        await Post("/api/contracts", body.With("provider.taxNumber", "350/5726/1234"), Tokens.ContractAdmin(), 201);
        await Post("/api/contracts", ContractRequests.Sign(UniqueId("contract"), UniqueId("city")).With("vat", "standard").With("provider.vatId", "DE811234567"),
            Tokens.ContractAdmin(), 201);
    }

    /// <summary>
    /// A contract stored before this data was required (written here straight into the store) gets no document a
    /// recipient would reject: issuing is 409 naming what is missing, and nothing is stored.
    /// </summary>
    [Fact]
    public async Task A_contract_stored_without_that_data_gets_a_409_naming_it_instead_of_an_invalid_invoice()
    {
        var provider = UniqueId("city");
        var withoutContact = await StoredBeforeTheRule(provider, VatTreatment.NotSubject, vatId: null);
        var standardProvider = UniqueId("city");
        var withoutVatId = await StoredBeforeTheRule(standardProvider, VatTreatment.Standard, vatId: null, contact: true);
        var before = await Fixture.EventCountAsync();

        var lacking = await Refused("/api/invoices", Quarter(withoutContact, 2021, 1), FinanceOf(provider), 409, "provider.contactName");
        Assert.Equal(["provider.contactName", "provider.contactPhone"], lacking["errors"]!.AsObject().Select(e => e.Key).Order());
        var refused = await Refused("/api/invoices", Quarter(withoutVatId, 2021, 1), FinanceOf(standardProvider), 409, "provider.vatId");
        Assert.Contains("provider.vatId", (string)refused["detail"]!);
        Assert.Equal(before, await Fixture.EventCountAsync());

        // A party change adds what it lacks; from its day on, the contract is billed.
        await Post($"/api/contracts/{withoutContact}/party-changes", new JsonObject
        {
            ["party"] = "provider", ["effectiveFrom"] = "2021-01-01", ["contactName"] = "Servicecenter Bochum", ["contactPhone"] = "+49 234 910-0",
        }, Tokens.ContractAdmin());
        var invoice = await Invoice(withoutContact, provider, 2021, 1);
        Assert.Equal("+49 234 910-0", (string)invoice["seller"]!["contactPhone"]!);
    }

    private async Task<string> StoredBeforeTheRule(string provider, VatTreatment vat, string? vatId, bool contact = false)
    {
        var id = UniqueId("contract");
        var signed = new SignContract(
            id,
            new ProviderInput(provider, "Stadt Bochum", "BO", "Willy-Brandt-Platz 2-6", "44777", "Bochum", "DE86430500010000000000",
                "servicecenter@bochum.de", contact ? "Servicecenter Bochum" : "-", contact ? "+49 234 910-0" : "-", vatId),
            new ClientInput("castrop-rauxel", "Stadt Castrop-Rauxel", "NW", "05916004-0001-21", "Europaplatz 1", "44575", "Castrop-Rauxel"),
            180_000m, new DateOnly(2020, 11, 2), null, [new ServiceLineInput("buergerbuero", "Bürgerbüro", null)], null, null, null, vat, null)
            .ToEvent(id, DateTimeOffset.UtcNow);
        if (!contact)
        {
            signed = signed with { Provider = signed.Provider with { ContactName = null, ContactPhone = null } };
        }

        await using var session = Fixture.Store.LightweightSession();
        session.Events.StartStream<Contract>(StreamKeys.Contract(id), signed);
        await session.SaveChangesAsync();
        return id;
    }

    private static List<string> ErrorIds(List<RuleFinding> findings) =>
        [.. findings.Where(f => f.Level == "error").Select(f => f.Id).Distinct().Order(StringComparer.Ordinal)];

    private static string Report(List<(string Document, List<RuleFinding> Errors)> rejected, Dictionary<string, byte[]> documents)
    {
        var text = new StringBuilder($"{rejected.Count} of {documents.Count} documents fail the official rules:");
        foreach (var (document, errors) in rejected)
        {
            text.AppendLine().Append("== ").Append(document);
            foreach (var error in errors)
            {
                text.AppendLine().Append("   ").Append(error);
            }
        }

        return text.ToString();
    }

    private async Task<byte[]> XRechnungOf(JsonObject document, string provider)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/invoices/{Id(document)}/xrechnung");
            s.WithBearerToken(FinanceOf(provider));
            s.StatusCodeShouldBe(200);
        });
        return Encoding.UTF8.GetBytes(await result.ReadAsTextAsync());
    }
}
