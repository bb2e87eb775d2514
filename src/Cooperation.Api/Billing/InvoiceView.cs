using Cooperation.Api.Contracts;

namespace Cooperation.Api.Billing;

/// <summary>
/// A billing document as the API shows it. <c>Amount</c> is what the buyer pays (gross); <c>Credited</c> what
/// credit notes of differences took off it; <c>Paid</c> payments plus transfers in less transfers out; <c>Refunded</c>
/// what was paid back; <c>Balance</c> what is still open on it (negative when overpaid; a cancelled invoice owes nothing). <c>Status</c>: open, paid, overpaid or cancelled for
/// invoices; issued or cancelled (reversed by a cancelling credit note) for credit notes.
/// </summary>
public sealed record InvoiceView(
    string InvoiceId,
    string StreamId,
    long Version,
    string Number,
    DocumentKind Kind,
    string Status,
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
    DocumentReference? CancelledBy,
    IReadOnlyList<Payment> Payments,
    IReadOnlyList<Refund> Refunds,
    IReadOnlyList<Transfer> Transfers,
    decimal Credited,
    decimal Paid,
    decimal Refunded,
    decimal Balance,
    string XRechnung)
{
    public static InvoiceView From(Invoice d) => new(
        d.InvoiceId, d.Id, d.Version, d.Number, d.Kind, d.Status, d.ContractId, d.Year, d.Quarter, d.IssuedOn, d.DueOn,
        d.Seller, d.Buyer, d.Vat, d.Lines, d.NetAmount, d.VatAmount, d.Amount, d.References, d.Cancels, d.Reason,
        d.CancelledBy, d.Payments, d.Refunds, d.Transfers, d.Credited, d.Paid, d.Refunded, d.Balance, $"/api/invoices/{d.InvoiceId}/xrechnung");
}
