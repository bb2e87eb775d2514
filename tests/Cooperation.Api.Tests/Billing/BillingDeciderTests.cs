using System.Runtime.CompilerServices;
using Cooperation.Api.Billing;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Reports;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Tests.Billing;

/// <summary>The rules of billing's documents: given documents as their events, when a command, then the events or a problem. No database.</summary>
public class BillingDeciderTests
{
    private static readonly Quarter Q2 = new(2021, 2);
    private static readonly DateTimeOffset Now = Terms.At("2021-07-05T10:00:00+02:00");
    private static readonly Documents.Issue Next = new("inv-next", 7, new DateOnly(2021, 7, 5), Now);
    private static readonly Contract Signed = Terms.Contract();
    private static readonly string ContractKey = StreamKeys.Contract(Signed.ContractId);

    private static readonly Caller Seller = new("fiona", "bochum");
    private static readonly Caller Buyer = new("clara", "castrop-rauxel");
    private static readonly Caller Stranger = new("hugo", "herne");
    private static readonly Caller Unbound = new("finance", null);

    // ---- Issuing the quarter's invoice ----

    [Fact]
    public void Issuing_an_ended_quarter_starts_its_invoice_and_closes_the_quarter_on_the_contract()
    {
        var decision = BillingDecider.IssueInvoice(Invoicing(Q2), QuarterSituation(Signed));

        var issued = Documents.QuarterInvoice(Signed, Q2, Next);
        Assert.Equal("BO-2021-0007", issued.Number);
        ExpectChanges(decision,
            (StreamKeys.Invoice("inv-next"), typeof(Invoice), [issued]),
            (ContractKey, null, [new QuarterClosed(Signed.ContractId, 2021, 2, "inv-next", "BO-2021-0007", Now)]));
    }

    [Fact]
    public void Finance_bound_to_no_city_issues_too()
    {
        var decision = BillingDecider.IssueInvoice(Invoicing(Q2), QuarterSituation(Signed) with { Caller = Unbound });

        Assert.False(decision.IsRefused, decision.ToString());
    }

    [Fact]
    public void A_quarter_whose_invoice_a_credit_note_cancelled_is_invoiced_again()
    {
        var (invoice, note) = Cancelled(Issued(Signed, Q2, "inv-1", 1));

        var decision = BillingDecider.IssueInvoice(Invoicing(Q2), QuarterSituation(Signed, invoice, note));

        Assert.Equal([StreamKeys.Invoice("inv-next"), ContractKey], decision.Changes.Select(c => c.Key));
    }

    [Theory]
    [InlineData("no contract", 404, "contractId")]
    [InlineData("another city's contract", 404, "contractId")]
    [InlineData("the client's finance", 403, null)]
    [InlineData("a quarter not yet ended", 409, "quarter")]
    [InlineData("a quarter before the term", 409, "quarter")]
    [InlineData("a quarter with a live invoice", 409, "quarter")]
    public void Issuing_an_invoice_is_refused(string when, int status, string? field)
    {
        var live = Issued(Signed, Q2, "inv-1", 1);
        var (command, s) = when switch
        {
            "no contract" => (Invoicing(Q2), new BillingSituation(Seller, Now)),
            "another city's contract" => (Invoicing(Q2), QuarterSituation(Signed) with { Caller = Stranger }),
            "the client's finance" => (Invoicing(Q2), QuarterSituation(Signed) with { Caller = Buyer }),
            "a quarter not yet ended" => (Invoicing(new Quarter(2021, 3)), QuarterSituation(Signed)),
            "a quarter before the term" => (Invoicing(new Quarter(2020, 3)), QuarterSituation(Signed)),
            "a quarter with a live invoice" => (Invoicing(Q2), QuarterSituation(Signed, live)),
            _ => throw new ArgumentOutOfRangeException(nameof(when)),
        };

        var problem = ExpectRefused(BillingDecider.IssueInvoice(command, s), status, field);

        if (when == "a quarter with a live invoice")
        {
            Assert.Equal("inv-1", problem.Extensions["invoiceId"]);
            Assert.Contains("invoiced already by BO-2021-0001", problem.Detail, StringComparison.Ordinal);
        }
    }

    // ---- Cancelling by a credit note ----

    [Fact]
    public void A_credit_note_cancels_the_invoice_with_its_live_adjustments_and_reopens_the_quarter()
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1);
        var higher = Terms.Contract(annualFee: 200_000m);
        var supplement = Aggregates.Fold<Invoice>(null,
            [Documents.Difference(higher, Ledger(higher, invoice), invoice, null, new("inv-2", 2, new DateOnly(2021, 7, 2), Now.AddDays(-3)))!])!;
        var s = DocumentSituation(higher, invoice, supplement);

        var decision = BillingDecider.IssueCreditNote(new IssueCreditNote("Falsche Anschrift"), "inv-1", s);

        var note = Documents.Cancellation(higher, s.Ledger!, invoice, "Falsche Anschrift", Next);
        Assert.Equal(["BO-2021-0001", "BO-2021-0002"], note.References.Select(r => r.Number));
        var cancelled = (string id) => new InvoiceCancelled(id, "inv-next", "BO-2021-0007", new DateOnly(2021, 7, 5), Now);
        ExpectChanges(decision,
            (StreamKeys.Invoice("inv-next"), typeof(Invoice), [note]),
            (StreamKeys.Invoice("inv-1"), null, [cancelled("inv-1")]),
            (StreamKeys.Invoice("inv-2"), null, [cancelled("inv-2")]),
            (ContractKey, null, [new QuarterReopened(Signed.ContractId, 2021, 2, "inv-next", "BO-2021-0007", Now)]));
    }

    [Fact]
    public void A_credit_note_sent_again_with_the_same_reason_is_the_one_issued()
    {
        var (invoice, note) = Cancelled(Issued(Signed, Q2, "inv-1", 1), "Falsche Anschrift");

        var decision = BillingDecider.IssueCreditNote(new IssueCreditNote("Falsche Anschrift"), "inv-1",
            DocumentSituation(Signed, invoice, note) with { CancellingNote = note });

        Assert.True(decision.IsRepeat, decision.ToString());
    }

    [Theory]
    [InlineData("no document", 404)]
    [InlineData("another city's document", 404)]
    [InlineData("the client's finance", 403)]
    [InlineData("a credit note", 409)]
    [InlineData("a supplementary invoice", 409)]
    [InlineData("cancelled for another reason", 409)]
    public void A_credit_note_is_refused(string when, int status)
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1);
        var (cancelled, note) = Cancelled(invoice, "Falsche Anschrift");
        var higher = Terms.Contract(annualFee: 200_000m);
        var supplement = Aggregates.Fold<Invoice>(null, [Documents.Difference(higher, Ledger(higher, invoice), invoice, null, Next with { InvoiceId = "inv-1" })!])!;
        var s = when switch
        {
            "no document" => new BillingSituation(Seller, Now),
            "another city's document" => DocumentSituation(Signed, invoice) with { Caller = Stranger },
            "the client's finance" => DocumentSituation(Signed, invoice) with { Caller = Buyer },
            "a credit note" => DocumentSituation(Signed, note with { InvoiceId = "inv-1" }),
            "a supplementary invoice" => DocumentSituation(higher, supplement),
            "cancelled for another reason" => DocumentSituation(Signed, cancelled, note) with { CancellingNote = note },
            _ => throw new ArgumentOutOfRangeException(nameof(when)),
        };

        var problem = ExpectRefused(BillingDecider.IssueCreditNote(new IssueCreditNote("Tippfehler"), "inv-1", s), status, status == 409 ? "invoiceId" : null);

        Assert.Contains(when switch
        {
            "a credit note" => "is a credit note",
            "a supplementary invoice" => "adjusts BO-2021-0001",
            "cancelled for another reason" => "was cancelled already by credit note BO-2021-0002",
            _ => "",
        }, problem.Detail, StringComparison.Ordinal);
    }

    // ---- Adjusting for a difference ----

    [Fact]
    public void More_due_after_an_amendment_is_a_supplementary_invoice()
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1);
        var higher = Terms.Contract(annualFee: 200_000m);
        var s = DocumentSituation(higher, invoice);

        var decision = BillingDecider.IssueAdjustment(new IssueAdjustment("Nachtrag"), "inv-1", s);

        var supplement = Documents.Difference(higher, s.Ledger!, invoice, "Nachtrag", Next)!;
        Assert.Equal((DocumentKind.SupplementaryInvoice, 5_000.00m), (supplement.Kind, supplement.Amount));
        ExpectChanges(decision, (StreamKeys.Invoice("inv-next"), typeof(Invoice), [supplement]));
    }

    [Fact]
    public void Less_due_after_an_amendment_is_a_credit_note_that_credits_the_invoice()
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1);
        var lower = Terms.Contract(annualFee: 160_000m);
        var s = DocumentSituation(lower, invoice);

        var decision = BillingDecider.IssueAdjustment(new IssueAdjustment(null), "inv-1", s);

        var credit = Documents.Difference(lower, s.Ledger!, invoice, null, Next)!;
        Assert.Equal((DocumentKind.CreditNote, 5_000.00m, false), (credit.Kind, credit.Amount, credit.Cancels));
        ExpectChanges(decision,
            (StreamKeys.Invoice("inv-next"), typeof(Invoice), [credit]),
            (StreamKeys.Invoice("inv-1"), null, [new InvoiceCredited("inv-1", "inv-next", "BO-2021-0007", 5_000.00m, Now)]));
    }

    [Theory]
    [InlineData("no difference", "there is no difference to settle")]
    [InlineData("a supplementary invoice", "is not a quarter's invoice: adjust the invoice it refers to (BO-2021-0001)")]
    [InlineData("a cancelled invoice", "was cancelled by credit note BO-2021-0002")]
    public void An_adjustment_is_refused_with_409(string when, string detail)
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1);
        var higher = Terms.Contract(annualFee: 200_000m);
        var supplement = Aggregates.Fold<Invoice>(null, [Documents.Difference(higher, Ledger(higher, invoice), invoice, null, Next with { InvoiceId = "inv-1" })!])!;
        var (cancelled, note) = Cancelled(invoice);
        var s = when switch
        {
            "no difference" => DocumentSituation(Signed, invoice),
            "a supplementary invoice" => DocumentSituation(higher, supplement),
            "a cancelled invoice" => DocumentSituation(higher, cancelled, note),
            _ => throw new ArgumentOutOfRangeException(nameof(when)),
        };

        var problem = ExpectRefused(BillingDecider.IssueAdjustment(new IssueAdjustment(null), "inv-1", s), 409, "invoiceId");

        Assert.Contains(detail, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no document", 404)]
    [InlineData("the client's finance", 403)]
    public void An_adjustment_by_someone_who_may_not_change_the_document_is_refused(string when, int status)
    {
        var s = when == "no document" ? new BillingSituation(Seller, Now) : DocumentSituation(Signed, Issued(Signed, Q2, "inv-1", 1)) with { Caller = Buyer };

        ExpectRefused(BillingDecider.IssueAdjustment(new IssueAdjustment(null), "inv-1", s), status, null);
    }

    // ---- Payments ----

    [Fact]
    public void A_payment_is_recorded_rounded_to_the_cent_with_its_reference_trimmed()
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1);

        var decision = BillingDecider.RecordPayment(new RecordPayment(100.005m, new DateOnly(2021, 7, 5), " RF-1 "), "inv-1", PaymentSituation(invoice));

        ExpectChanges(decision, (StreamKeys.Invoice("inv-1"), null, [new PaymentRecorded("inv-1", 100.01m, new DateOnly(2021, 7, 5), "RF-1", Now)]));
        Assert.Equal(44_899.99m, decision.After(invoice, StreamKeys.Invoice("inv-1"))!.Balance);
    }

    [Theory]
    [InlineData("RF-1", "RF-1", false)]
    [InlineData(" RF-1", "RF-1", false)]
    [InlineData(null, null, false)]
    [InlineData("RF-1", "RF-1", true)] // told again after the invoice was cancelled
    public void A_payment_told_again_is_recorded_already(string? told, string? recorded, bool cancelled)
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1, Paid(100m, "2021-07-03", recorded));
        invoice = cancelled ? Cancelled(invoice).Invoice : invoice;

        var decision = BillingDecider.RecordPayment(new RecordPayment(100m, new DateOnly(2021, 7, 3), told), "inv-1", PaymentSituation(invoice));

        Assert.True(decision.IsRepeat, decision.ToString());
    }

    [Fact]
    public void Two_equal_payments_on_one_day_are_told_apart_by_their_references()
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1, Paid(100m, "2021-07-03", "RF-1"));

        var decision = BillingDecider.RecordPayment(new RecordPayment(100m, new DateOnly(2021, 7, 3), "RF-2"), "inv-1", PaymentSituation(invoice));

        Assert.Single(decision.EventsOf(StreamKeys.Invoice("inv-1")));
    }

    [Theory]
    [InlineData("no document", 404, null)]
    [InlineData("another city's document", 404, null)]
    [InlineData("the client's finance", 403, null)]
    [InlineData("paid tomorrow", 400, "paidOn")]
    [InlineData("a credit note", 409, "invoiceId")]
    [InlineData("a cancelled invoice", 409, "invoiceId")]
    [InlineData("paid before the issue", 409, "paidOn")]
    [InlineData("a reference recorded with other figures", 409, "reference")]
    public void A_payment_is_refused(string when, int status, string? field)
    {
        var invoice = Issued(Signed, Q2, "inv-1", 1, Paid(100m, "2021-07-03", "RF-1"));
        var (cancelled, note) = Cancelled(invoice);
        var (document, caller, paidOn, reference) = when switch
        {
            "no document" => (null, Seller, "2021-07-05", "RF-2"),
            "another city's document" => (invoice, Stranger, "2021-07-05", "RF-2"),
            "the client's finance" => (invoice, Buyer, "2021-07-05", "RF-2"),
            "paid tomorrow" => (invoice, Seller, "2021-07-06", "RF-2"),
            "a credit note" => (note with { InvoiceId = "inv-1" }, Seller, "2021-07-05", "RF-2"),
            "a cancelled invoice" => (cancelled, Seller, "2021-07-05", "RF-2"),
            "paid before the issue" => (invoice, Seller, "2021-06-30", "RF-2"),
            "a reference recorded with other figures" => (invoice, Seller, "2021-07-04", "RF-1"),
            _ => throw new ArgumentOutOfRangeException(nameof(when)),
        };

        ExpectRefused(BillingDecider.RecordPayment(new RecordPayment(100m, DateOnly.Parse(paidOn), reference), "inv-1",
            new BillingSituation(caller, Now) { Document = document }), status, field);
    }

    // ---- The fold ----

    [Fact]
    public void Every_event_of_a_documents_stream_has_a_rule_in_its_fold()
    {
        // The creating event as issued (the fold reads its seller and buyer); the others as they come.
        var state = Invoice.When(null, Documents.QuarterInvoice(Signed, Q2, Next));
        foreach (var type in Aggregates.EventTypesOf<Invoice>().Where(t => t != typeof(InvoiceIssued)))
        {
            var e = RuntimeHelpers.GetUninitializedObject(type);
            Assert.IsNotType<UnknownEventException>(Record.Exception(() => state = Invoice.When(state, e)));
        }

        Assert.Equal(7, Aggregates.EventTypesOf<Invoice>().Count); // issued, cancelled, credited, paid, refunded, transferred out and in
        Assert.Throws<UnknownEventException>(() => Invoice.When(null, RuntimeHelpers.GetUninitializedObject(typeof(PaymentRecorded))));
        Assert.Throws<UnknownEventException>(() => Invoice.When(state, Documents.QuarterInvoice(Signed, Q2, Next)));
    }

    // ---- Given ----

    private static IssueInvoice Invoicing(Quarter quarter) => new(Signed.ContractId, quarter.Year, quarter.Number);

    /// <summary>A document of the quarter issued on 1 July with sequence <paramref name="sequence"/>, then <paramref name="then"/>.</summary>
    private static Invoice Issued(Contract contract, Quarter quarter, string id, int sequence, params object[] then) =>
        Aggregates.Fold<Invoice>(null,
            [Documents.QuarterInvoice(contract, quarter, new(id, sequence, new DateOnly(2021, 7, 1), Terms.At("2021-07-01T10:00:00+02:00"))), .. then])!;

    private static PaymentRecorded Paid(decimal amount, string on, string? reference) =>
        new("inv-1", amount, DateOnly.Parse(on), reference, Terms.At($"{on}T12:00:00+02:00"));

    /// <summary>The invoice cancelled by a credit note issued on 2 July, and that credit note.</summary>
    private static (Invoice Invoice, Invoice Note) Cancelled(Invoice invoice, string reason = "Falsche Anschrift")
    {
        var issued = Documents.Cancellation(Signed, Ledger(Signed, invoice), invoice, reason,
            new("inv-cn", invoice.Sequence + 1, new DateOnly(2021, 7, 2), Terms.At("2021-07-02T10:00:00+02:00")));
        var note = Aggregates.Fold<Invoice>(null, [issued])!;
        var cancelled = Aggregates.Fold(invoice, [new InvoiceCancelled(invoice.InvoiceId, note.InvoiceId, note.Number, note.IssuedOn, note.IssuedAt)])!;
        return (cancelled, note);
    }

    private static QuarterLedger Ledger(Contract contract, params Invoice[] documents) =>
        new(Q2, contract.FeeDue(Q2), [.. Invoice.InIssueOrder(documents)]);

    /// <summary>As read under the provider's lock to issue a document for the second quarter.</summary>
    private static BillingSituation QuarterSituation(Contract contract, params Invoice[] documents) =>
        new(Seller, Now) { Contract = contract, Ledger = Ledger(contract, documents), Next = Next };

    /// <summary>As read under the lock for a change of the first of <paramref name="documents"/>: its quarter's ledger holds them all.</summary>
    private static BillingSituation DocumentSituation(Contract contract, params Invoice[] documents) =>
        QuarterSituation(contract, documents) with { Document = documents[0] };

    private static BillingSituation PaymentSituation(Invoice invoice) => new(Seller, Now) { Document = invoice };

    // ---- Then ----

    private static void ExpectChanges(Decision decision, params (string Key, Type? Starts, object[] Events)[] expected)
    {
        Assert.False(decision.IsRefused, decision.ToString());
        Assert.Equal(expected.Select(e => (e.Key, e.Starts)), decision.Changes.Select(c => (c.Key, c.Starts)));
        foreach (var (wanted, change) in expected.Zip(decision.Changes))
        {
            Assert.Equal(wanted.Events.Select(e => e.GetType()), change.Events.Select(e => e.GetType()));
            Assert.Equivalent(wanted.Events, change.Events, strict: true);
        }
    }

    private static ProblemDetails ExpectRefused(Decision decision, int status, string? field)
    {
        var problem = Assert.IsType<ProblemDetails>(decision.Problem);
        Assert.Equal(status, problem.Status);
        if (field is null)
        {
            Assert.False(problem.Extensions.ContainsKey(Problems.ErrorsKey), "no field named");
        }
        else
        {
            Assert.Equal([field], ((IDictionary<string, string[]>)problem.Extensions[Problems.ErrorsKey]!).Keys);
        }

        return problem;
    }
}
