using Cooperation.Api.Billing;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Reports;

namespace Cooperation.Api.Tests.Billing;

/// <summary>The documents billing issues and what a quarter's ledger adds up to: pure rules, no database.</summary>
public class DocumentsTests
{
    private static readonly Quarter Q2 = new(2021, 2);
    private static int sequence;

    private static Documents.Issue Issue(string day = "2021-07-05") =>
        new($"inv-{++sequence}", sequence, DateOnly.Parse(day), Terms.At($"{day}T10:00:00+02:00"));

    private static Contract Amended(Contract contract, string from, decimal fee) =>
        contract.Apply(new FeeAmended(contract.ContractId, fee, DateOnly.Parse(from), Terms.At("2021-04-01T10:00:00+02:00")));

    [Theory]
    [InlineData("BO", 2021, 1, "BO-2021-0001")]
    [InlineData("HER1", 2026, 42, "HER1-2026-0042")]
    [InlineData("BO", 2021, 12345, "BO-2021-12345")]
    public void Numbers_are_prefix_year_and_a_four_digit_sequence(string prefix, int year, int sequence, string number) =>
        Assert.Equal(number, Documents.Number(prefix, year, sequence));

    [Theory]
    [InlineData(VatTreatment.NotSubject, "45000.00", "0.00")]
    [InlineData(VatTreatment.Standard, "45000.00", "8550.00")]
    [InlineData(VatTreatment.Standard, "48351.65", "9186.81")] // 9,186.8135
    [InlineData(VatTreatment.Standard, "0.50", "0.10")] // 0.095 rounds away from zero
    public void Vat_is_none_or_19_percent_rounded_half_away_from_zero(VatTreatment vat, string net, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            Documents.VatOf(vat, decimal.Parse(net, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void The_quarters_lines_add_up_to_the_fee_due_even_where_each_line_rounds_its_own_way()
    {
        // Three stretches of Q2 at three fees; each share rounded alone would not add up to the rounded whole.
        var contract = Amended(Amended(Terms.Contract(), "2021-05-01", 200_000.01m), "2021-06-01", 190_000.03m);

        var invoice = Documents.QuarterInvoice(contract, Q2, Issue());

        Assert.Equal(47_527.47m, contract.FeeParts(Q2).Sum(p => Money.Round(p.Exact))); // the shares rounded alone
        Assert.Equal(47_527.48m, contract.FeeDue(Q2));
        Assert.Equal(3, invoice.Lines.Count);
        Assert.Equal(contract.FeeDue(Q2), invoice.Lines.Sum(l => l.Amount));
        Assert.Equal(contract.FeeDue(Q2), invoice.NetAmount);
        Assert.Equal([(4, 1, 4, 30), (5, 1, 5, 31), (6, 1, 6, 30)],
            invoice.Lines.Select(l => (l.From.Month, l.From.Day, l.To.Month, l.To.Day)));
        Assert.Contains("30 von 91 Tagen", invoice.Lines[0].Description, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2021, 8, 4), invoice.DueOn); // 30 days after 5 July
    }

    [Fact]
    public void A_service_line_added_inside_the_quarter_starts_a_new_line_of_the_invoice()
    {
        var contract = Terms.Contract().Apply(new ServiceLineAdded("c", "ordnungswesen", "Ordnungswesen", new DateOnly(2021, 2, 15), Terms.At("2021-02-01T10:00:00+01:00")));

        var invoice = Documents.QuarterInvoice(contract, new Quarter(2021, 1), Issue());

        Assert.Equal([(new DateOnly(2021, 1, 1), new DateOnly(2021, 2, 14)), (new DateOnly(2021, 2, 15), new DateOnly(2021, 3, 31))],
            invoice.Lines.Select(l => (l.From, l.To)));
        Assert.Contains("(Bürgerbüro) 2021-Q1", invoice.Lines[0].Description, StringComparison.Ordinal);
        Assert.Contains("(Bürgerbüro, Ordnungswesen) 2021-Q1", invoice.Lines[1].Description, StringComparison.Ordinal);
        Assert.Equal(45_000.00m, invoice.Lines.Sum(l => l.Amount));
        Assert.Equal(22_500.00m, invoice.Lines[0].Amount); // 1 January – 14 February: 45 of 90 days
    }

    [Fact]
    public void A_difference_is_a_supplementary_invoice_or_a_credit_note_for_exactly_what_is_missing_or_too_much()
    {
        var before = Terms.Contract();
        var invoice = Invoice.Create(Documents.QuarterInvoice(before, Q2, Issue()));

        var higher = Amended(before, "2021-05-01", 200_000m);
        var more = Documents.Difference(higher, Ledger(higher, invoice), invoice, null, Issue())!;
        var lower = Amended(before, "2021-04-01", 160_000m);
        var less = Documents.Difference(lower, Ledger(lower, invoice), invoice, "Entgelt gesenkt", Issue())!;

        Assert.Equal((DocumentKind.SupplementaryInvoice, 3_351.65m), (more.Kind, more.Amount));
        Assert.Equal((DocumentKind.CreditNote, 5_000.00m, false), (less.Kind, less.Amount, less.Cancels));
        Assert.Null(less.DueOn);
        Assert.Equal(invoice.Number, Assert.Single(more.References).Number);
        Assert.Null(Documents.Difference(before, Ledger(before, invoice), invoice, null, Issue()));
        Assert.Equal(0m, Ledger(higher, invoice, Invoice.Create(more)).Difference);
        Assert.Equal(0m, Ledger(lower, invoice, Invoice.Create(less)).Difference);
    }

    [Fact]
    public void A_cancellation_reverses_the_invoice_and_its_adjustments_so_the_quarter_is_billed_nothing()
    {
        var contract = Terms.Contract();
        var invoice = Invoice.Create(Documents.QuarterInvoice(contract, Q2, Issue()));
        var higher = Amended(contract, "2021-05-01", 200_000m);
        var supplementary = Invoice.Create(Documents.Difference(higher, Ledger(higher, invoice), invoice, null, Issue())!);
        var lower = Amended(contract, "2021-05-01", 170_000m);
        var credit = Invoice.Create(Documents.Difference(lower, Ledger(lower, invoice, supplementary), invoice, null, Issue())!);
        var ledger = Ledger(lower, invoice, supplementary, credit);

        var cancellation = Documents.Cancellation(lower, ledger, invoice, "Falsche Anschrift", Issue());

        Assert.True(cancellation.Cancels);
        Assert.Equal([invoice.Number, supplementary.Number, credit.Number], cancellation.References.Select(r => r.Number));
        Assert.Equal(invoice.NetAmount + supplementary.NetAmount - credit.NetAmount, cancellation.NetAmount);
        Assert.Equal(cancellation.NetAmount, cancellation.Lines.Sum(l => l.Amount));
        Assert.True(cancellation.Lines[^1].Amount < 0); // the credited difference, reversed
        Assert.StartsWith($"Storno {invoice.Number}: ", cancellation.Lines[0].Description, StringComparison.Ordinal);
        Assert.Equal(0m, (ledger with { Documents = [.. ledger.Documents, Invoice.Create(cancellation)] }).BilledNet);
    }

    [Fact]
    public void A_cancellation_repeats_the_vat_the_documents_were_issued_with()
    {
        var contract = Terms.Contract() with { Vat = VatTreatment.Standard };
        var invoice = Invoice.Create(Documents.QuarterInvoice(contract, Q2, Issue()));

        var cancellation = Documents.Cancellation(contract, Ledger(contract, invoice), invoice, "x", Issue());

        Assert.Equal((45_000.00m, 8_550.00m, 53_550.00m), (cancellation.NetAmount, cancellation.VatAmount, cancellation.Amount));
    }

    [Fact]
    public void The_ledger_counts_cancelled_invoices_as_invoiced_and_overpayment_as_a_negative_balance()
    {
        var contract = Terms.Contract();
        var first = Invoice.Create(Documents.QuarterInvoice(contract, Q2, Issue()));
        var cancellation = Invoice.Create(Documents.Cancellation(contract, Ledger(contract, first), first, "x", Issue()));
        var second = Invoice.Create(Documents.QuarterInvoice(contract, Q2, Issue()))
            .Apply(new PaymentRecorded("inv", 45_000.50m, new DateOnly(2021, 7, 20), null, Terms.At("2021-07-20T10:00:00+02:00")));

        var ledger = Ledger(contract, first with { CancelledBy = cancellation.AsReference() }, cancellation, second);

        Assert.Equal(second.InvoiceId, ledger.LiveInvoice!.InvoiceId);
        Assert.Equal((90_000.00m, 45_000.00m, 45_000.50m, -0.50m, 0m), (ledger.Invoiced, ledger.Credited, ledger.Paid, ledger.OpenBalance, ledger.Difference));
        Assert.Equal(-0.50m, second.Balance);
    }

    private static QuarterLedger Ledger(Contract contract, params Invoice[] documents) => new(Q2, contract.FeeDue(Q2), documents);
}
