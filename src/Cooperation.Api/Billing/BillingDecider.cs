using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Reports;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Billing;

/// <summary>
/// What a billing decision is made on besides the command: who asks, the time, and what was read under the
/// provider's billing lock (ADR 12) — the contract, the document named, the quarter's ledger, the identity the
/// next document would get. Without the lock (the caller may not change the thing: 404, 403) only the contract or
/// document is there.
/// </summary>
public sealed record BillingSituation(Caller Caller, DateTimeOffset Now)
{
    /// <summary>The day in Berlin: the day of issue, and the latest day a payment can have been made.</summary>
    public DateOnly Today => Berlin.DateOf(Now);

    /// <summary>The contract invoiced, or the document's.</summary>
    public Contract? Contract { get; init; }

    /// <summary>The document the command names.</summary>
    public Invoice? Document { get; init; }

    /// <summary>The documents of the quarter invoiced (or of the document's quarter), with the fee due now.</summary>
    public QuarterLedger? Ledger { get; init; }

    /// <summary>The invoice a payment transfer goes to, fetched for writing beside the document.</summary>
    public Invoice? Target { get; init; }

    /// <summary>The credit note that cancelled the document, if one did (read for a cancellation).</summary>
    public Invoice? CancellingNote { get; init; }

    /// <summary>Id, number's sequence, day and instant of issue of the document the command would issue.</summary>
    public Documents.Issue? Next { get; init; }
}

/// <summary>
/// The rules of billing's documents, each in one place (ADR 12, ADR 14): pure functions of the command and the
/// situation, giving the documents to issue and the events on the documents and the contract they touch,
/// "already recorded", or a problem.
/// </summary>
public static class BillingDecider
{
    /// <summary>The documents one quarter of a contract takes at most (ADR 23): its lists in answers are bounded by it.</summary>
    public const int MaxDocumentsPerQuarter = 100;

    private static ProblemDetails HasRoom(QuarterLedger ledger) => ledger.Documents.Count < MaxDocumentsPerQuarter
        ? Problems.None
        : Problems.Conflict("$", $"{ledger.Quarter} has {ledger.Documents.Count} documents, the most one quarter takes; no more can be issued for it.");

    /// <summary>The quarter's invoice, for the fee due under the contract; it closes the quarter on the contract.</summary>
    public static Decision IssueInvoice(IssueInvoice command, BillingSituation s)
    {
        var quarter = new Quarter(command.Year!.Value, command.Quarter!.Value);
        var contract = s.Contract;
        return Decision.Unless(
            BillingAccess.MayInvoice(contract, command.ContractId!, s.Caller)
                .Then(() => CarriesWhatTheRulesRequire(contract!, s.Today))
                .Then(() => MayBeInvoiced(contract!, quarter, s.Today))
                .Then(() => s.Ledger!.LiveInvoice is { } live ? InvoicedAlready(contract!, quarter, live) : Problems.None)
                .Then(() => HasRoom(s.Ledger!)),
            () =>
            {
                var issued = Documents.QuarterInvoice(contract!, quarter, s.Next!);
                return Decision.Start<Invoice>(StreamKeys.Invoice(issued.InvoiceId), issued)
                    .And(StreamKeys.Contract(contract!.ContractId),
                        new QuarterClosed(contract.ContractId, quarter.Year, quarter.Number, issued.InvoiceId, issued.Number, issued.IssuedAt));
            });
    }

    /// <summary>
    /// The credit note that cancels the invoice with its adjustments; it reopens the quarter. Sent again with the
    /// same reason, it is the credit note issued already.
    /// </summary>
    public static Decision IssueCreditNote(IssueCreditNote command, string invoiceId, BillingSituation s) => OnChangeable(invoiceId, s, invoice =>
    {
        if (MayBeCancelled(invoice) is var problem && !problem.IsNone())
        {
            return Decision.Refuse(problem);
        }

        if (invoice.CancelledBy is { } by)
        {
            // Cancelled already, perhaps by this very request sent before: the same reason is a retry.
            return s.CancellingNote!.Reason == command.Reason
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict("invoiceId", $"{invoice.Number} was cancelled already by credit note {by.Number} (invoice '{by.InvoiceId}')."));
        }

        var contract = s.Contract!;
        if (CarriesWhatTheRulesRequire(contract, s.Today).Then(() => HasRoom(s.Ledger!)) is var lacking && !lacking.IsNone())
        {
            return Decision.Refuse(lacking);
        }

        var note = Documents.Cancellation(contract, s.Ledger!, invoice, command.Reason!, s.Next!);
        var decision = Decision.Start<Invoice>(StreamKeys.Invoice(note.InvoiceId), note);
        foreach (var cancelled in note.References)
        {
            decision = decision.And(StreamKeys.Invoice(cancelled.InvoiceId),
                new InvoiceCancelled(cancelled.InvoiceId, note.InvoiceId, note.Number, note.IssuedOn, note.IssuedAt));
        }

        return decision.And(StreamKeys.Contract(contract.ContractId),
            new QuarterReopened(contract.ContractId, invoice.Year, invoice.Quarter, note.InvoiceId, note.Number, note.IssuedAt));
    });

    /// <summary>
    /// The difference a fee amendment dated back into the invoiced quarter made: a supplementary invoice when more
    /// is due, a credit note when less (which also credits the invoice). None is 409.
    /// </summary>
    public static Decision IssueAdjustment(IssueAdjustment command, string invoiceId, BillingSituation s) => OnChangeable(invoiceId, s, invoice =>
        Decision.Unless(
            MayBeAdjusted(invoice).Then(() => CarriesWhatTheRulesRequire(s.Contract!, s.Today)).Then(() => HasRoom(s.Ledger!)).Then(() => s.Ledger!.Difference == 0m
                ? Problems.Conflict("invoiceId",
                    $"{s.Ledger.Quarter} is billed {s.Ledger.BilledNet:0.00} net, exactly the fee due under the contract: there is no difference to settle.")
                : Problems.None),
            () =>
            {
                var adjustment = Documents.Difference(s.Contract!, s.Ledger!, invoice, command.Reason, s.Next!)!;
                var decision = Decision.Start<Invoice>(StreamKeys.Invoice(adjustment.InvoiceId), adjustment);
                return adjustment.Kind == DocumentKind.CreditNote
                    ? decision.And(invoice.Id, new InvoiceCredited(invoice.InvoiceId, adjustment.InvoiceId, adjustment.Number, adjustment.Amount, adjustment.IssuedAt))
                    : decision;
            }));

    /// <summary>
    /// Money received against an invoice. The same payment told again (the same reference and figures, or without a
    /// reference the same amount and day) is recorded already, even after a cancellation.
    /// </summary>
    public static Decision RecordPayment(RecordPayment command, string invoiceId, BillingSituation s) => OnChangeable(invoiceId, s, invoice =>
    {
        if (command.PaidOn > s.Today)
        {
            return Decision.Refuse(Problems.Invalid("paidOn", "'paidOn' may not be in the future."));
        }

        var reference = command.Reference?.Trim();
        if (invoice.Payments.Any(p => p.Reference == reference && p.Amount == command.Amount && p.PaidOn == command.PaidOn))
        {
            return Decision.AlreadyRecorded;
        }

        return Decision.Unless(MayBePaid(command.PaidOn!.Value, reference, command.Amount!.Value, invoice), () => Decision.Append(invoice.Id,
            new PaymentRecorded(invoice.InvoiceId, Money.Round(command.Amount.Value), command.PaidOn.Value, reference, s.Now)));
    });

    /// <summary>
    /// Money paid back to the client, at most what it paid on the invoice beyond what it owes there (an overpayment,
    /// or what a cancelled invoice still holds). The same refund told again is recorded already.
    /// </summary>
    public static Decision RecordRefund(RecordRefund command, string invoiceId, BillingSituation s) => OnChangeable(invoiceId, s, invoice =>
    {
        var reference = command.Reference?.Trim();
        var amount = Money.Round(command.Amount!.Value);
        if (invoice.Refunds.Any(r => r.Reference == reference && r.Amount == amount && r.RefundedOn == command.RefundedOn))
        {
            return Decision.AlreadyRecorded;
        }

        // One bank reference, one refund: the same reference with other figures is not a repeat.
        var earlier = reference is null ? null : invoice.Refunds.FirstOrDefault(r => r.Reference == reference);
        return Decision.Unless(
            (earlier is null ? Problems.None : Problems.Conflict("reference",
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"A refund with reference '{reference}' was recorded already: {earlier.Amount:0.00} on {earlier.RefundedOn:yyyy-MM-dd}.")))
                .Then(() => MayMoveMoney("refundedOn", command.RefundedOn!.Value, amount, invoice, s.Today)),
            () => Decision.Append(invoice.Id, new RefundRecorded(invoice.InvoiceId, amount, command.RefundedOn!.Value, reference, s.Now)));
    });

    /// <summary>
    /// Money paid on one invoice moved to another of the same contract (from a cancelled invoice to its replacement,
    /// or an overpayment to the next quarter), at most what the first holds beyond what it owes: an event on each.
    /// </summary>
    public static Decision TransferPayment(TransferPayment command, string invoiceId, BillingSituation s) => OnChangeable(invoiceId, s, invoice =>
    {
        var amount = Money.Round(command.Amount!.Value);
        var to = s.Target;
        if (to is not null && invoice.Transfers.Any(t => t.InvoiceId == to.InvoiceId && t.Amount == -amount && t.TransferredOn == command.TransferredOn))
        {
            return Decision.AlreadyRecorded;
        }

        // Another provider's invoice is as unknown here as one that does not exist.
        var problem = to is null || to.ProviderId != invoice.ProviderId
            ? Problems.NotFound("toInvoiceId", $"There is no invoice '{command.ToInvoiceId}'.")
            : to.Id == invoice.Id ? Problems.Conflict("toInvoiceId", "A payment is moved to another invoice, not to the one it is on.")
            : to.ContractId != invoice.ContractId ? Problems.Conflict("toInvoiceId", $"{to.Number} belongs to another contract: payments move only between invoices of one contract.")
            : to.IsCreditNote ? Problems.Conflict("toInvoiceId", $"{to.Number} is a credit note: payments are moved to invoices.")
            : to.IsCancelled ? Problems.Conflict("toInvoiceId", $"{to.Number} was cancelled: move the payment to the invoice that replaced it.")
            : Problems.None;
        return Decision.Unless(
            problem.Then(() => MayMoveMoney("transferredOn", command.TransferredOn!.Value, amount, invoice, s.Today))
                .Then(() => command.TransferredOn < to!.IssuedOn
                    ? Problems.Conflict("transferredOn", $"'transferredOn' ({command.TransferredOn:yyyy-MM-dd}) may not precede the issue of {to.Number} on {to.IssuedOn:yyyy-MM-dd}.")
                    : Problems.None),
            () => Decision.Append(invoice.Id, new PaymentTransferredOut(invoice.InvoiceId, to!.InvoiceId, to.Number, amount, command.TransferredOn!.Value, s.Now))
                .And(to.Id, new PaymentTransferredIn(to.InvoiceId, invoice.InvoiceId, invoice.Number, amount, command.TransferredOn.Value, s.Now)));
    });

    /// <summary>Money leaves an invoice (a refund, a transfer): not a credit note's, not before its issue or after today, at most its surplus.</summary>
    private static ProblemDetails MayMoveMoney(string dateField, DateOnly on, decimal amount, Invoice invoice, DateOnly today)
    {
        if (invoice.IsCreditNote)
        {
            return Problems.Conflict("invoiceId", $"{invoice.Number} is a credit note: money is paid on invoices and moved from them.");
        }

        if (on > today)
        {
            return Problems.Invalid(dateField, $"'{dateField}' may not be in the future.");
        }

        if (on < invoice.IssuedOn)
        {
            return Problems.Conflict(dateField, $"'{dateField}' ({on:yyyy-MM-dd}) may not precede the invoice's issue on {invoice.IssuedOn:yyyy-MM-dd}.");
        }

        return amount > invoice.Surplus
            ? Problems.Conflict("amount", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{invoice.Number} holds {invoice.Surplus:0.00} beyond what it owes: at most that can be refunded or moved, not {amount:0.00}."))
            : Problems.None;
    }

    /// <summary>409 for a quarter outside the contract's term or not yet ended (billing is in arrears).</summary>
    public static ProblemDetails MayBeInvoiced(Contract contract, Quarter quarter, DateOnly today)
    {
        if (QuarterlyReport.CoveredPart(contract, quarter) is null)
        {
            return ContractAccess.OutsideTerm(contract, "quarter", quarter.ToString());
        }

        return quarter.LastDay >= today
            ? Problems.Conflict("quarter", $"{quarter} ends on {quarter.LastDay:yyyy-MM-dd}: a quarter is invoiced in arrears, from {quarter.LastDay.AddDays(1):yyyy-MM-dd} on.")
            : Problems.None;
    }

    /// <summary>
    /// 409 naming what the XRechnung rules require of the seller and a contract stored before it was required at
    /// signing lacks: the service never issues a document a recipient's validator would reject.
    /// </summary>
    public static ProblemDetails CarriesWhatTheRulesRequire(Contract contract, DateOnly issuedOn) =>
        contract.ProviderOn(issuedOn).MissingForInvoices(contract.Vat) is { Count: > 0 } missing ? Lacking(missing) : Problems.None;

    private static ProblemDetails Lacking(IReadOnlyList<string> missing)
    {
        var problem = Problems.Conflict(
            $"The contract lacks what every document must carry (XRechnung BT-41, BT-42; under standard VAT BT-31 or BT-32): {string.Join(", ", missing)}. " +
            "Add it with a party change (POST /api/contracts/{id}/party-changes); nothing was issued.");
        problem.Extensions["errors"] = missing.ToDictionary(
            field => field, field => new[] { field == "provider.vatId" ? "Missing: 'provider.vatId' or 'provider.taxNumber'." : $"Missing: '{field}'." });
        return problem;
    }

    /// <summary>404 or 403 unless the caller may change the document, otherwise the command's own rules.</summary>
    private static Decision OnChangeable(string invoiceId, BillingSituation s, Func<Invoice, Decision> decide) =>
        Decision.Unless(BillingAccess.MayChange(s.Document, invoiceId, s.Caller), () => decide(s.Document!));

    /// <summary>409, naming the live invoice: a quarter has one live invoice.</summary>
    private static ProblemDetails InvoicedAlready(Contract contract, Quarter quarter, Invoice live)
    {
        var conflict = Problems.Conflict("quarter",
            $"{quarter} of contract '{contract.ContractId}' is invoiced already by {live.Number} (invoice '{live.InvoiceId}'). Cancel it with a credit note before invoicing the quarter again.");
        conflict.Extensions["invoiceId"] = live.InvoiceId;
        return conflict;
    }

    private static ProblemDetails MayBeCancelled(Invoice invoice) => invoice switch
    {
        { IsCreditNote: true } => Problems.Conflict("invoiceId",
            $"{invoice.Number} is a credit note: a credit note is not cancelled by another. Issue a new invoice or an adjustment instead."),
        { Kind: DocumentKind.SupplementaryInvoice } => Problems.Conflict("invoiceId",
            $"{invoice.Number} adjusts {invoice.References[0].Number}: cancel that invoice, which cancels its adjustments with it, or settle a new difference by an adjustment."),
        _ => Problems.None,
    };

    private static ProblemDetails MayBeAdjusted(Invoice invoice) => invoice switch
    {
        { Kind: not DocumentKind.Invoice } => Problems.Conflict("invoiceId",
            $"{invoice.Number} is not a quarter's invoice: adjust the invoice it refers to ({string.Join(", ", invoice.References.Select(r => r.Number))})."),
        { CancelledBy: { } by } => Problems.Conflict("invoiceId",
            $"{invoice.Number} was cancelled by credit note {by.Number}: invoice the quarter again instead."),
        _ => Problems.None,
    };

    private static ProblemDetails MayBePaid(DateOnly paidOn, string? reference, decimal amount, Invoice invoice)
    {
        if (invoice.IsCreditNote)
        {
            return Problems.Conflict("invoiceId", $"{invoice.Number} is a credit note: payments are recorded against invoices.");
        }

        if (invoice.CancelledBy is { } by)
        {
            return Problems.Conflict("invoiceId", $"{invoice.Number} was cancelled by credit note {by.Number}: record the payment against the invoice that replaced it.");
        }

        if (paidOn < invoice.IssuedOn)
        {
            return Problems.Conflict("paidOn", $"'paidOn' ({paidOn:yyyy-MM-dd}) may not precede the invoice's issue on {invoice.IssuedOn:yyyy-MM-dd}.");
        }

        var earlier = reference is null ? null : invoice.Payments.FirstOrDefault(p => p.Reference == reference);
        return earlier is not null && (earlier.Amount != amount || earlier.PaidOn != paidOn)
            ? Problems.Conflict("reference",
                $"A payment with reference '{reference}' was recorded already: {earlier.Amount:0.00} on {earlier.PaidOn:yyyy-MM-dd}.")
            : Problems.None;
    }
}
