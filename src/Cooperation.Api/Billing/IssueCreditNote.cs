using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

/// <summary>
/// Cancel an invoice (with its adjustments) by a credit note; the quarter can then be invoiced again. Sent again
/// with the same reason, the answer is the credit note already issued (200).
/// </summary>
public sealed record IssueCreditNote(string? Reason)
{
    public sealed class Validator : AbstractValidator<IssueCreditNote>
    {
        public Validator() => RuleFor(x => x.Reason).NotEmpty().MaximumLength(1000);
    }
}

public static class IssueCreditNoteEndpoint
{
    public static Task<Invoice?> LoadAsync(string invoiceId, IDocumentSession session, CancellationToken ct) =>
        BillingAccess.LoadAsync(session, invoiceId, ct);

    public static ProblemDetails Validate(Invoice? invoice, string invoiceId, ClaimsPrincipal user) =>
        BillingAccess.MayChange(invoice, invoiceId, user, MayBeCancelled);

    [WolverinePost("/api/invoices/{invoiceId}/credit-note")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(IssueCreditNote command, Invoice invoice, IDocumentSession session, BillingLock billingLock, TimeProvider clock, CancellationToken ct)
    {
        invoice = await billingLock.AcquireAsync(session, invoice, ct);
        if (invoice.CancelledBy is { } by)
        {
            // Cancelled already, perhaps by this very request sent before: the same reason is a retry.
            var earlier = (await BillingAccess.LoadAsync(session, by.InvoiceId, ct))!;
            return earlier.Reason == command.Reason
                ? Results.Ok(InvoiceView.From(earlier))
                : Results.Problem(Problems.Conflict("invoiceId", $"{invoice.Number} was cancelled already by credit note {by.Number} (invoice '{by.InvoiceId}')."));
        }

        var contractStream = await session.Events.FetchForExclusiveWriting<Contract>(StreamKeys.Contract(invoice.ContractId), ct);
        var contract = contractStream.Aggregate!;
        var ledger = await BillingAccess.LedgerAsync(session, contract, new Quarter(invoice.Year, invoice.Quarter), ct);
        var today = Berlin.Today(clock);
        var sequence = await BillingAccess.NextSequenceAsync(session, invoice.ProviderId, today.Year, ct);
        var creditNote = Documents.Cancellation(
            contract, ledger, invoice, command.Reason!, new Documents.Issue(BillingAccess.NewId(), sequence, today, clock.GetUtcNow()));

        var created = BillingAccess.Start(session, creditNote);
        foreach (var cancelled in creditNote.References)
        {
            await BillingAccess.AppendAsync(session, cancelled.InvoiceId,
                new InvoiceCancelled(cancelled.InvoiceId, creditNote.InvoiceId, creditNote.Number, creditNote.IssuedOn, creditNote.IssuedAt), ct);
        }

        contractStream.AppendOne(new QuarterReopened(contract.ContractId, invoice.Year, invoice.Quarter, creditNote.InvoiceId, creditNote.Number, creditNote.IssuedAt));
        await session.SaveChangesAsync(ct);
        return created;
    }

    private static ProblemDetails MayBeCancelled(Invoice invoice) => invoice switch
    {
        { IsCreditNote: true } => Problems.Conflict("invoiceId",
            $"{invoice.Number} is a credit note: a credit note is not cancelled by another. Issue a new invoice or an adjustment instead."),
        { Kind: DocumentKind.SupplementaryInvoice } => Problems.Conflict("invoiceId",
            $"{invoice.Number} adjusts {invoice.References[0].Number}: cancel that invoice, which cancels its adjustments with it, or settle a new difference by an adjustment."),
        _ => Problems.None,
    };
}
