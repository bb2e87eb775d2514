using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

public class InvoiceTests(AppFixture fixture) : BillingTest(fixture)
{
    [Fact]
    public async Task The_demo_contracts_first_quarter_is_invoiced_pro_rata_with_the_next_number_and_the_contracts_payment_terms()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("paymentTermsDays", 14));

        var invoice = await Invoice(contract, provider, 2020, 4);

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Date);
        Assert.Equal($"BO-{today.Year}-0001", (string)invoice["number"]!);
        Assert.Equal("invoice", (string)invoice["kind"]!);
        Assert.Equal("open", (string)invoice["status"]!);
        Assert.Equal(29_347.83m, Money(invoice["amount"]));
        Assert.Equal(29_347.83m, Money(invoice["netAmount"]));
        Assert.Equal(0m, Money(invoice["vatAmount"]));
        Assert.Equal(today.ToString("yyyy-MM-dd"), (string)invoice["issuedOn"]!);
        Assert.Equal(today.AddDays(14).ToString("yyyy-MM-dd"), (string)invoice["dueOn"]!);
        var line = Assert.Single(invoice["lines"]!.AsArray())!;
        Assert.Equal(("2020-11-02", "2020-12-31", 29_347.83m), ((string)line["from"]!, (string)line["to"]!, Money(line["amount"])));
        Assert.Equal("05916004-0001-21", (string)invoice["buyer"]!["leitwegId"]!);

        var fetched = await Get($"/api/invoices/{Id(invoice)}", FinanceOf("castrop-rauxel"));
        JsonAssert.Equal(invoice, fetched);

        var next = await Invoice(contract, provider, 2021, 1);
        Assert.Equal($"BO-{today.Year}-0002", (string)next["number"]!);
        Assert.Equal(45_000.00m, Money(next["amount"]));
    }

    [Fact]
    public async Task Thirty_days_to_pay_unless_the_contract_says_otherwise_and_19_percent_vat_when_the_contract_is_subject_to_it()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.vatId", "DE811234567"));

        var invoice = await Invoice(contract, provider, 2021, 2);

        Assert.Equal(DateOnly.Parse((string)invoice["issuedOn"]!).AddDays(30).ToString("yyyy-MM-dd"), (string)invoice["dueOn"]!);
        Assert.Equal(("standard", 45_000.00m, 8_550.00m, 53_550.00m),
            ((string)invoice["vat"]!, Money(invoice["netAmount"]), Money(invoice["vatAmount"]), Money(invoice["amount"])));
    }

    /// <summary>Domain §3 (EN 16931 BR-CO-17): VAT once per document on its net total; a difference carries the VAT of the difference.</summary>
    [Fact]
    public async Task Vat_is_computed_once_per_document_on_its_net_total_and_a_difference_document_carries_the_vat_of_the_difference()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("vat", "standard").With("provider.vatId", "DE811234567"));
        var invoice = await Invoice(contract, provider, 2021, 2);
        await AmendFee(contract, 200_000m, "2021-05-01");
        var supplementary = await Adjustment(invoice, provider);

        foreach (var document in new[] { invoice, supplementary })
        {
            var net = Money(document["netAmount"]);
            Assert.Equal(Api.Infrastructure.Money.Round(net * 19m / 100m), Money(document["vatAmount"]));
            Assert.Equal(net + Money(document["vatAmount"]), Money(document["amount"]));
            Assert.Equal(net, document["lines"]!.AsArray().Sum(l => Money(l!["netAmount"] ?? l["amount"])));
        }

        Assert.Equal(3_351.65m, Money(supplementary["netAmount"])); // 48,351.65 due less the 45,000.00 invoiced
        Assert.Equal(636.81m, Money(supplementary["vatAmount"]));
    }

    [Fact]
    public async Task An_amendment_inside_the_quarter_gives_one_line_per_fee_and_the_lines_add_up_to_the_reports_fee_due()
    {
        var (contract, provider) = await GivenProviderContract();
        await Post($"/api/contracts/{contract}/fee-amendments", new JsonObject { ["annualFee"] = 200_000m, ["effectiveFrom"] = "2021-05-01" }, Tokens.ContractAdmin());

        var invoice = await Invoice(contract, provider, 2021, 2);
        var report = await Get($"/api/reports/quarterly/{contract}/2021/2", FinanceOf(provider));

        var lines = invoice["lines"]!.AsArray();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("2021-04-01", "2021-04-30"), ((string)lines[0]!["from"]!, (string)lines[0]!["to"]!));
        Assert.Equal(("2021-05-01", "2021-06-30"), ((string)lines[1]!["from"]!, (string)lines[1]!["to"]!));
        Assert.Equal(48_351.65m, lines.Sum(l => Money(l!["amount"])));
        Assert.Equal(Money(report["cost"]!["feeDue"]), Money(invoice["amount"]));
    }

    [Fact]
    public async Task A_quarter_is_invoiced_once_until_a_credit_note_cancels_it()
    {
        var (contract, provider) = await GivenProviderContract();
        var first = await Invoice(contract, provider, 2021, 1);

        var refused = await Refused("/api/invoices", Quarter(contract, 2021, 1), FinanceOf(provider), 409, "quarter", "invoiced already");
        Assert.Equal(Id(first), (string)refused["invoiceId"]!);

        await CreditNote(Id(first), provider);
        var second = await Invoice(contract, provider, 2021, 1);
        Assert.NotEqual(Id(first), Id(second));
        Assert.Equal($"BO-{ThisYear}-0003", (string)second["number"]!); // invoice, credit note, invoice: one series
    }

    [Fact]
    public async Task Finance_clerks_invoicing_at_the_same_moment_get_gap_free_unique_numbers()
    {
        var (contract, provider) = await GivenProviderContract();
        var token = FinanceOf(provider);

        // Eight different quarters at once, and the same quarter four times at once.
        var quarters = Enumerable.Range(0, 8).Select(i => (Year: 2021 + (i / 4), Quarter: (i % 4) + 1));
        var distinct = Task.WhenAll(quarters.Select(q => Host.Scenario(s =>
        {
            s.Post.Json(Quarter(contract, q.Year, q.Quarter)).ToUrl("/api/invoices");
            s.WithBearerToken(token);
            s.IgnoreStatusCode();
        })));
        var same = Racing("/api/invoices", Quarter(contract, 2020, 4).ToJsonString(), token, 4);
        var results = (await distinct).Concat(await same).ToList();

        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        Assert.Equal(9, statuses.Count(s => s == 201));
        Assert.Equal(3, statuses.Count(s => s == 409));
        var numbers = new List<string>();
        foreach (var created in results.Where(r => r.Context.Response.StatusCode == 201))
        {
            numbers.Add((string)JsonNode.Parse(await created.ReadAsTextAsync())!["number"]!);
        }

        Assert.Equal(Enumerable.Range(1, 9).Select(n => $"BO-{ThisYear}-{n:0000}"), numbers.Order());
    }

    [Fact]
    public async Task Numbers_run_per_provider()
    {
        var (a, providerA) = await GivenProviderContract();
        var (b, providerB) = await GivenProviderContract();

        await Invoice(a, providerA, 2021, 1);
        var other = await Invoice(b, providerB, 2021, 1);

        Assert.Equal($"BO-{ThisYear}-0001", (string)other["number"]!);
    }

    [Fact]
    public async Task Bad_requests_are_refused_naming_the_field_and_store_nothing()
    {
        var (contract, provider) = await GivenProviderContract(body => body.With("endsOn", "2022-06-30"));
        var token = FinanceOf(provider);

        await Refused("/api/invoices", Quarter("no-such-contract", 2021, 1), token, 404, "contractId");
        await Refused("/api/invoices", Quarter(contract, 2021, 1), FinanceOf("herne"), 404, "contractId");
        await Refused("/api/invoices", Quarter(contract, 2021, 1), FinanceOf("castrop-rauxel"), 403);
        await Refused("/api/invoices", Quarter(contract, 2021, 1), Tokens.Auditor, 403);
        await Refused("/api/invoices", Quarter(contract, 2020, 3), token, 409, "quarter", "outside its term");
        await Refused("/api/invoices", Quarter(contract, 2022, 3), token, 409, "quarter", "outside its term");
        await Refused("/api/invoices", Quarter(contract, 2021, 5), token, 400, "quarter");
        await Refused("/api/invoices", Quarter(contract, 1999, 1), token, 400, "year");
        await Refused("/api/invoices", new JsonObject { ["year"] = 2021, ["quarter"] = 1 }, token, 400, "contractId");
        await Refused("/api/invoices", """{ "contractId": "x", "year": "2021", "quarter": 1 }""", token, 400, "year");
    }

    [Fact]
    public async Task The_current_quarter_cannot_be_invoiced_yet()
    {
        var (contract, provider) = await GivenProviderContract();
        var now = DateTime.UtcNow;

        await Refused("/api/invoices", Quarter(contract, now.Year, ((now.Month - 1) / 3) + 1), FinanceOf(provider), 409, "quarter", "in arrears");
    }

    [Fact]
    public async Task Another_citys_finance_clerk_cannot_reach_the_invoices()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);

        await RefusedGet($"/api/invoices/{Id(invoice)}", FinanceOf("herne"), 404);
        await RefusedGet($"/api/invoices/{Id(invoice)}/xrechnung", FinanceOf("herne"), 404);
        await RefusedGet($"/api/reconciliation/{contract}/2021", FinanceOf("herne"), 404);
        await Refused($"/api/invoices/{Id(invoice)}/payments", new JsonObject { ["amount"] = 10m, ["paidOn"] = "2026-01-02" }, FinanceOf("herne"), 404);
        await Refused($"/api/invoices/{Id(invoice)}/credit-note", new JsonObject { ["reason"] = "x" }, FinanceOf("herne"), 404);
        await RefusedGet("/api/invoices/no-such-invoice", FinanceOf(provider), 404);
        await RefusedGet($"/api/invoices/{Id(invoice)}", Tokens.For("service-centre", provider), 403);
        await Get($"/api/invoices/{Id(invoice)}", Tokens.Auditor);
    }

    [Fact]
    public async Task Every_document_is_served_as_XRechnung_with_the_figures_it_was_issued_with()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2020, 4);
        var creditNote = await CreditNote(Id(invoice), provider);

        var invoiceXml = await XRechnungOf(Id(invoice), FinanceOf("castrop-rauxel"));
        var creditXml = await XRechnungOf(Id(creditNote), Tokens.Auditor);

        Assert.Equal("Invoice", invoiceXml.Root!.Name.LocalName);
        Assert.Equal((string)invoice["number"]!, Ubl(invoiceXml, "ID"));
        Assert.Equal("380", Ubl(invoiceXml, "InvoiceTypeCode"));
        Assert.Equal("05916004-0001-21", Ubl(invoiceXml, "BuyerReference"));
        Assert.Equal((string)invoice["dueOn"]!, Ubl(invoiceXml, "DueDate"));
        Assert.Equal("29347.83", Ubl(invoiceXml, "LegalMonetaryTotal", "PayableAmount"));
        Assert.Equal("DE86430500010000000000", Ubl(invoiceXml, "PaymentMeans", "PayeeFinancialAccount", "ID"));
        Assert.Equal("CreditNote", creditXml.Root!.Name.LocalName);
        Assert.Equal("381", Ubl(creditXml, "CreditNoteTypeCode"));
        Assert.Equal((string)invoice["number"]!, Ubl(creditXml, "BillingReference", "InvoiceDocumentReference", "ID"));
        Assert.Equal("29347.83", Ubl(creditXml, "LegalMonetaryTotal", "PayableAmount"));
        await RefusedGet("/api/invoices/no-such-invoice/xrechnung", FinanceOf(provider), 404);
    }

    private async Task<System.Xml.Linq.XDocument> XRechnungOf(string invoiceId, string token)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/invoices/{invoiceId}/xrechnung");
            s.WithBearerToken(token);
            s.StatusCodeShouldBe(200);
        });
        Assert.Equal("application/xml; charset=utf-8", result.Context.Response.ContentType);
        return System.Xml.Linq.XDocument.Parse(await result.ReadAsTextAsync());
    }

    /// <summary>The text of the element reached from the root by local names (UBL's namespaces aside).</summary>
    private static string Ubl(System.Xml.Linq.XDocument xml, params string[] path) =>
        path.Aggregate(xml.Root!, (element, name) => element.Elements().Single(e => e.Name.LocalName == name)).Value;

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{ \"contractId\": 5, \"year\": 2021, \"quarter\": 1 }")]
    [InlineData("{ \"contractId\": \"x\", \"year\": 2021, \"quarter\": 99999999999 }")]
    [InlineData("{ \"contractId\": \"x\", \"year\": 2021.5, \"quarter\": 1 }")]
    public async Task Odd_bodies_are_400_not_500(string body)
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);

        await Refused("/api/invoices", body, FinanceOf(provider), 400);
        await Refused($"/api/invoices/{Id(invoice)}/credit-note", body, FinanceOf(provider), 400);
        await Refused($"/api/invoices/{Id(invoice)}/payments", body, FinanceOf(provider), 400);
        if (!body.StartsWith('{'))
        {
            await Refused($"/api/invoices/{Id(invoice)}/adjustments", body, FinanceOf(provider), 400);
        }
    }

    [Theory]
    [InlineData("%20")]
    [InlineData("..%2F..%2Fetc")]
    [InlineData("invoice:x")]
    public async Task Odd_ids_in_paths_are_404(string id)
    {
        var (_, provider) = await GivenProviderContract();

        await RefusedGet($"/api/invoices/{id}", FinanceOf(provider), 404);
        await RefusedGet($"/api/invoices/{id}/xrechnung", FinanceOf(provider), 404);
        await RefusedGet($"/api/reconciliation/{id}/2021", FinanceOf(provider), 404);
        await Refused($"/api/invoices/{id}/payments", """{ "amount": 1, "paidOn": "2026-01-01" }""", FinanceOf(provider), 404);
    }

    [Fact]
    public async Task The_database_refuses_a_second_document_with_a_number_even_past_the_lock()
    {
        var (contract, provider) = await GivenProviderContract();
        var invoice = await Invoice(contract, provider, 2021, 1);
        var stored = await Fixture.Store.QuerySession().LoadAsync<Api.Billing.Invoice>($"invoice:{Id(invoice)}");

        await using var session = Fixture.Store.LightweightSession();
        var copy = stored! with { Id = "invoice:copy", InvoiceId = "copy", Year = 2021, Quarter = 2 };
        session.Store(copy);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
        Assert.Contains("invoice_number_per_provider", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminated_contract_is_invoiced_up_to_its_last_day_and_not_after()
    {
        var (contract, provider) = await GivenProviderContract();
        await Post($"/api/contracts/{contract}/termination", new JsonObject { ["endsOn"] = "2021-08-15" }, Tokens.ContractAdmin());

        var last = await Invoice(contract, provider, 2021, 3);

        Assert.Equal(22_500.00m, Money(last["amount"])); // 1 July – 15 August: 46 of 92 days
        Assert.Equal("2021-08-15", (string)Assert.Single(last["lines"]!.AsArray())!["to"]!);
        await Refused("/api/invoices", Quarter(contract, 2021, 4), FinanceOf(provider), 409, "quarter", "outside its term");
    }

    [Fact]
    public async Task A_request_that_cannot_get_the_providers_billing_lock_in_time_is_503_and_stores_nothing()
    {
        var (contract, provider) = await GivenProviderContract();
        await using (var holder = new Npgsql.NpgsqlConnection(Fixture.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await using var take = new Npgsql.NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", holder, transaction);
            take.Parameters.AddWithValue("billing:" + provider);
            await take.ExecuteNonQueryAsync();

            var before = await Fixture.EventCountAsync();
            var result = await Host.Scenario(s =>
            {
                s.Post.Json(Quarter(contract, 2021, 1)).ToUrl("/api/invoices");
                s.WithBearerToken(FinanceOf(provider));
                s.StatusCodeShouldBe(503);
            });

            await ProblemOf(result, 503);
            Assert.Equal("2", result.Context.Response.Headers.RetryAfter.ToString());
            Assert.Equal(before, await Fixture.EventCountAsync());
        }

        Assert.Equal($"BO-{ThisYear}-0001", (string)(await Invoice(contract, provider, 2021, 1))["number"]!);
    }
}
