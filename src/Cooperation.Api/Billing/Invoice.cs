using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Billing;

/// <summary>
/// What a billing document is: the quarter's invoice, a supplementary invoice for a difference found later
/// (UBL type 380 both), or a credit note (381) that cancels invoices or credits a difference.
/// </summary>
public enum DocumentKind { Invoice, SupplementaryInvoice, CreditNote }

/// <summary>
/// One line of a document: for the quarter's invoice a stretch of days at one annual fee; for a difference one
/// line for the quarter; a credit note that cancels repeats the cancelled documents' lines.
/// <c>Amount</c> is net, to the cent; in a cancelling credit note a line that reverses a credited difference is negative.
/// </summary>
public sealed record InvoiceLine(int Number, string Description, DateOnly From, DateOnly To, decimal Amount);

/// <summary>A document that this one refers to (XRechnung BT-25/BT-26): the invoice it corrects or adds to.</summary>
public sealed record DocumentReference(string InvoiceId, string Number, DateOnly IssuedOn);

// ---- Events of the invoice stream (key: "invoice:{invoiceId}"; credit notes have streams of their own) ----

/// <summary>
/// A document, issued once and never changed. Seller and buyer are copied from the contract as they stood on
/// the day of issue, so the document reads the same years later whatever the contract became.
/// <c>Number</c> is <c>{invoicePrefix}-{year of issue}-{sequence:0000}</c>, gap-free per provider and year.
/// </summary>
public sealed record InvoiceIssued(
    string InvoiceId,
    string Number,
    int Sequence,
    DocumentKind Kind,
    string ContractId,
    int Year,
    int Quarter,
    DateOnly IssuedOn,
    DateOnly? DueOn,
    Provider Seller,
    Client Buyer,
    VatTreatment Vat,
    IReadOnlyList<InvoiceLine> Lines,
    decimal NetAmount,
    decimal VatAmount,
    decimal Amount,
    IReadOnlyList<DocumentReference> References,
    bool Cancels,
    string? Reason,
    DateTimeOffset IssuedAt) : IStreamEvent<Invoice>;

/// <summary>A credit note cancelled this document (an invoice, or a credit note of a difference that it reverses).</summary>
public sealed record InvoiceCancelled(string InvoiceId, string CreditNoteId, string CreditNoteNumber, DateOnly CreditNoteIssuedOn, DateTimeOffset CancelledAt) : IStreamEvent<Invoice>;

/// <summary>A credit note for a difference (not a cancellation) credited part of this invoice: less is owed on it.</summary>
public sealed record InvoiceCredited(string InvoiceId, string CreditNoteId, string CreditNoteNumber, decimal Amount, DateTimeOffset CreditedAt) : IStreamEvent<Invoice>;

/// <summary>Money received against an invoice. <c>Reference</c> is the bank's or the payer's, when given.</summary>
public sealed record PaymentRecorded(string InvoiceId, decimal Amount, DateOnly PaidOn, string? Reference, DateTimeOffset RecordedAt) : IStreamEvent<Invoice>;

public sealed record Payment(decimal Amount, DateOnly PaidOn, string? Reference, DateTimeOffset RecordedAt);

/// <summary>Money paid back to the client from what it paid on this invoice beyond what it owes.</summary>
public sealed record RefundRecorded(string InvoiceId, decimal Amount, DateOnly RefundedOn, string? Reference, DateTimeOffset RecordedAt) : IStreamEvent<Invoice>;

/// <summary>Money paid on this invoice moved to another invoice of the same contract (its counterpart there: <see cref="PaymentTransferredIn"/>).</summary>
public sealed record PaymentTransferredOut(
    string InvoiceId, string ToInvoiceId, string ToNumber, decimal Amount, DateOnly TransferredOn, DateTimeOffset RecordedAt) : IStreamEvent<Invoice>;

/// <summary>Money moved onto this invoice from another invoice of the same contract.</summary>
public sealed record PaymentTransferredIn(
    string InvoiceId, string FromInvoiceId, string FromNumber, decimal Amount, DateOnly TransferredOn, DateTimeOffset RecordedAt) : IStreamEvent<Invoice>;

public sealed record Refund(decimal Amount, DateOnly RefundedOn, string? Reference, DateTimeOffset RecordedAt);

/// <summary>A transfer of money as this document sees it: <c>Amount</c> positive when it came in, negative when it went out.</summary>
public sealed record Transfer(string InvoiceId, string Number, decimal Amount, DateOnly TransferredOn, DateTimeOffset RecordedAt);

/// <summary>A billing document as it stands: what was issued, whether it was cancelled, what has been paid.</summary>
public sealed record Invoice(
    string Id,
    string InvoiceId,
    string Number,
    int Sequence,
    DocumentKind Kind,
    string ContractId,
    string ProviderId,
    string ClientId,
    int Year,
    int Quarter,
    DateOnly IssuedOn,
    DateOnly? DueOn,
    Provider Seller,
    Client Buyer,
    VatTreatment Vat,
    IReadOnlyList<InvoiceLine> Lines,
    decimal NetAmount,
    decimal VatAmount,
    decimal Amount,
    IReadOnlyList<DocumentReference> References,
    bool Cancels,
    string? Reason,
    DateTimeOffset IssuedAt,
    DocumentReference? CancelledBy,
    IReadOnlyList<Payment> Payments,
    decimal Credited = 0.00m) : IAggregate<Invoice>
{
    public long Version { get; init; }

    /// <summary>The year in the number: the year of issue, whose sequence the number belongs to.</summary>
    public int NumberYear => IssuedOn.Year;

    public bool IsCreditNote => Kind == DocumentKind.CreditNote;

    public bool IsCancelled => CancelledBy is not null;

    public IReadOnlyList<Refund> Refunds { get; init; } = [];

    public IReadOnlyList<Transfer> Transfers { get; init; } = [];

    /// <summary>Money on this document: payments received, and transfers in less transfers out.</summary>
    public decimal Paid => Money.Total(Payments.Select(p => p.Amount).Concat(Transfers.Select(t => t.Amount)));

    public decimal Refunded => Money.Total(Refunds.Select(r => r.Amount));

    /// <summary>
    /// What the buyer still owes on this document (less what credit notes of differences credited); negative when
    /// overpaid. A cancelled invoice owes nothing: its balance is what is still held of what was paid on it, negative.
    /// </summary>
    public decimal Balance => IsCreditNote ? 0.00m : IsCancelled ? Refunded - Paid : Amount - Credited - Paid + Refunded;

    /// <summary>What may be refunded or moved to another invoice: what the client paid beyond what it owes here.</summary>
    public decimal Surplus => IsCreditNote ? 0.00m : Math.Max(0.00m, -Balance);

    /// <summary>This document's effect on what the quarter has been billed, net: credit notes count against it.</summary>
    public decimal BilledNet => IsCreditNote ? -NetAmount : NetAmount;

    /// <summary>Every status a document can have.</summary>
    public static readonly string[] Statuses = ["open", "paid", "overpaid", "cancelled", "issued"];

    /// <summary>Open, paid or overpaid for invoices; issued for credit notes; cancelled for either once a credit note cancelled it.</summary>
    public string Status => this switch
    {
        { IsCancelled: true } => "cancelled",
        { IsCreditNote: true } => "issued",
        { Balance: > 0m } => "open",
        { Balance: 0m } => "paid",
        _ => "overpaid",
    };

    public DocumentReference AsReference() => new(InvoiceId, Number, IssuedOn);

    /// <summary>Documents in the order they were issued (their numbers' order within a provider's year).</summary>
    public static IEnumerable<Invoice> InIssueOrder(IEnumerable<Invoice> documents) => documents.OrderBy(d => d.IssuedAt).ThenBy(d => d.Sequence);

    public Invoice AtVersion(long version) => this with { Version = version };

    /// <summary>The one fold of a document's events (ADR 14): issued once, then cancelled, credited or paid.</summary>
    public static Invoice When(Invoice? document, object @event) => (document, @event) switch
    {
        (null, InvoiceIssued e) => new(
            StreamKeys.Invoice(e.InvoiceId), e.InvoiceId, e.Number, e.Sequence, e.Kind, e.ContractId, e.Seller.Id, e.Buyer.Id,
            e.Year, e.Quarter, e.IssuedOn, e.DueOn, e.Seller, e.Buyer, e.Vat, e.Lines, e.NetAmount, e.VatAmount, e.Amount,
            e.References, e.Cancels, e.Reason, e.IssuedAt, null, []),
        ({ } d, InvoiceCancelled e) => d with { CancelledBy = new DocumentReference(e.CreditNoteId, e.CreditNoteNumber, e.CreditNoteIssuedOn) },
        ({ } d, InvoiceCredited e) => d with { Credited = d.Credited + e.Amount },
        ({ } d, PaymentRecorded e) => d with { Payments = [.. d.Payments, new Payment(e.Amount, e.PaidOn, e.Reference, e.RecordedAt)] },
        ({ } d, RefundRecorded e) => d with { Refunds = [.. d.Refunds, new Refund(e.Amount, e.RefundedOn, e.Reference, e.RecordedAt)] },
        ({ } d, PaymentTransferredOut e) => d with { Transfers = [.. d.Transfers, new Transfer(e.ToInvoiceId, e.ToNumber, -e.Amount, e.TransferredOn, e.RecordedAt)] },
        ({ } d, PaymentTransferredIn e) => d with { Transfers = [.. d.Transfers, new Transfer(e.FromInvoiceId, e.FromNumber, e.Amount, e.TransferredOn, e.RecordedAt)] },
        _ => throw new UnknownEventException(typeof(Invoice), @event),
    };
}

/// <summary>
/// <c>Invoice.Create(issued)</c> and <c>document.Apply(event)</c>, the fold by its older names, for the demo's
/// seeding and the documents' tests. Extensions, because Marten refuses an aggregate with both its own fold
/// and conventional <c>Create</c>/<c>Apply</c> methods.
/// </summary>
public static class InvoiceFold
{
    extension(Invoice)
    {
        public static Invoice Create(InvoiceIssued issued) => Invoice.When(null, issued);
    }

    extension(Invoice document)
    {
        public Invoice Apply(object @event) => Invoice.When(document, @event);
    }
}
