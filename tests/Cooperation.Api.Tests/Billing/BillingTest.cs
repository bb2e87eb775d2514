using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>Billing through the API: each test signs contracts of a provider of its own, so numbers start at 0001.</summary>
public abstract class BillingTest(AppFixture fixture) : ApiTest(fixture)
{
    protected static readonly int ThisYear = DateTime.UtcNow.Year;

    protected static string FinanceOf(string city) => Tokens.For("finance", city, "fiona");

    /// <summary>Given: the demo's terms, signed by a provider no other test uses; returns the contract and provider ids.</summary>
    protected async Task<(string Contract, string Provider)> GivenProviderContract(Func<JsonObject, JsonObject>? change = null)
    {
        var provider = UniqueId("city");
        var contract = await GivenContract(body =>
        {
            var signed = body.With("provider.id", provider)
                .With("provider.contactName", "Servicecenter Bochum")
                .With("provider.contactPhone", "+49 234 910-0");
            return change is null ? signed : change(signed);
        });
        return (contract, provider);
    }

    protected static JsonObject Quarter(string contract, int year, int quarter) =>
        new() { ["contractId"] = contract, ["year"] = year, ["quarter"] = quarter };

    protected async Task<JsonObject> Invoice(string contract, string provider, int year, int quarter) =>
        (await Post("/api/invoices", Quarter(contract, year, quarter), FinanceOf(provider), 201)).AsObject();

    protected Task<JsonNode> AmendFee(string contract, decimal annualFee, string effectiveFrom) =>
        Post($"/api/contracts/{contract}/fee-amendments", new JsonObject { ["annualFee"] = annualFee, ["effectiveFrom"] = effectiveFrom }, Tokens.ContractAdmin());

    /// <summary>The difference document after a fee amendment dated back into the invoice's quarter.</summary>
    protected async Task<JsonObject> Adjustment(JsonObject invoice, string provider) =>
        (await Post($"/api/invoices/{Id(invoice)}/adjustments", new JsonObject { ["reason"] = "Entgelt rückwirkend geändert" }, FinanceOf(provider), 201)).AsObject();

    protected async Task<JsonObject> CreditNote(string invoiceId, string provider, string reason = "Falsche Anschrift") =>
        (await Post($"/api/invoices/{invoiceId}/credit-note", new JsonObject { ["reason"] = reason }, FinanceOf(provider), 201)).AsObject();

    protected async Task<JsonObject> Pay(string invoiceId, string provider, decimal amount, string paidOn, string? reference = null, int status = 201) =>
        (await Post($"/api/invoices/{invoiceId}/payments",
            new JsonObject { ["amount"] = amount, ["paidOn"] = paidOn, ["reference"] = reference }, FinanceOf(provider), status)).AsObject();

    /// <summary>The year's reconciliation once the reports (its service figures) have caught up.</summary>
    protected async Task<JsonObject> Reconciliation(string contract, int year, string token)
    {
        await Fixture.ProjectionsCaughtUpAsync();
        return (await Get($"/api/reconciliation/{contract}/{year}", token)).AsObject();
    }

    protected static string Id(JsonNode document) => (string)document["invoiceId"]!;

    protected static decimal Money(JsonNode? value) => value!.GetValue<decimal>();
}
