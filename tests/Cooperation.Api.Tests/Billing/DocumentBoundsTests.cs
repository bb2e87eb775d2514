using System.Text.Json.Nodes;
using Cooperation.Api.Billing;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>What bounds billing's answers (ADR 23): documents per quarter, and the length of a line's text.</summary>
[Collection("api")]
public sealed class DocumentBoundsTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task A_quarter_takes_at_most_a_hundred_documents()
    {
        var (contract, provider) = await GivenProviderContract();
        for (var i = 0; i < BillingDecider.MaxDocumentsPerQuarter / 2; i++)
        {
            var invoice = await Invoice(contract, provider, 2021, 1);
            await CreditNote(Id(invoice), provider, $"Storno {i}");
        }

        var problem = await Post("/api/invoices", Quarter(contract, 2021, 1), FinanceOf(provider), 409);
        Assert.Contains("the most one quarter takes", (string)problem["errors"]!["$"]![0]!, StringComparison.Ordinal);
        var year = await Get($"/api/invoices?contractId={contract}&year=2021", FinanceOf(provider));
        Assert.Equal(BillingDecider.MaxDocumentsPerQuarter, year.AsArray().Count);
        var page = await Get($"/api/invoices?contractId={contract}&limit=10&offset=95", FinanceOf(provider));
        Assert.Equal(5, page.AsArray().Count);
    }

    [Fact]
    public async Task An_invoice_line_names_as_many_service_lines_as_fit_and_counts_the_rest()
    {
        var names = Enumerable.Range(1, 50).Select(i => $"Leistung {i:00} " + new string('x', 180)).ToList();
        var (contract, provider) = await GivenProviderContract(body => body.With("serviceLines",
            new JsonArray([.. names.Select((name, i) => new JsonObject { ["code"] = $"line-{i}", ["name"] = name, ["from"] = "2020-11-02" })])));

        var invoice = await Invoice(contract, provider, 2021, 1);

        var description = (string)invoice["lines"]![0]!["description"]!;
        Assert.InRange(description.Length, 600, 1_000);
        Assert.StartsWith($"Telefonischer Bürgerservice ({names[0]}, {names[1]}, {names[2]} und 47 weitere) 2021-Q1", description, StringComparison.Ordinal);
        var note = await CreditNote(Id(invoice), provider);
        Assert.InRange(((string)note["lines"]![0]!["description"]!).Length, 600, 1_000);
    }
}
