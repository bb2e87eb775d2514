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
/// Settle the difference a fee amendment dated back into an invoiced quarter made: a supplementary invoice when
/// more is due, a credit note when less. The invoice itself is never changed.
/// </summary>
public sealed record IssueAdjustment(string? Reason)
{
    public sealed class Validator : AbstractValidator<IssueAdjustment>
    {
        public Validator() => RuleFor(x => x.Reason).MaximumLength(1000);
    }
}

public static class IssueAdjustmentEndpoint
{
    public static Task<Invoice?> LoadAsync(string invoiceId, IDocumentSession session, CancellationToken ct) =>
        BillingAccess.LoadAsync(session, invoiceId, ct);

    public static ProblemDetails Validate(Invoice? invoice, string invoiceId, ClaimsPrincipal user) =>
        BillingAccess.MayChange(invoice, invoiceId, user, MayBeAdjusted);

    [WolverinePost("/api/invoices/{invoiceId}/adjustments")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(IssueAdjustment command, Invoice invoice, IDocumentSession session, BillingLock billingLock, TimeProvider clock, CancellationToken ct)
    {
        invoice = await billingLock.AcquireAsync(session, invoice, ct);
        if (MayBeAdjusted(invoice) is var problem && !problem.IsNone())
        {
            return Results.Problem(problem); // cancelled by a request that held the lock before this one
        }

        var contract = (await session.LoadAsync<Contract>(StreamKeys.Contract(invoice.ContractId), ct))!;
        var ledger = await BillingAccess.LedgerAsync(session, contract, new Quarter(invoice.Year, invoice.Quarter), ct);
        if (ledger.Difference == 0m)
        {
            return Results.Problem(Problems.Conflict("invoiceId",
                $"{ledger.Quarter} is billed {ledger.BilledNet:0.00} net, exactly the fee due under the contract: there is no difference to settle."));
        }

        var today = Berlin.Today(clock);
        var issue = new Documents.Issue(BillingAccess.NewId(), await BillingAccess.NextSequenceAsync(session, invoice.ProviderId, today.Year, ct), today, clock.GetUtcNow());
        var adjustment = Documents.Difference(contract, ledger, invoice, command.Reason, issue)!;

        var created = BillingAccess.Start(session, adjustment);
        if (adjustment.Kind == DocumentKind.CreditNote)
        {
            await BillingAccess.AppendAsync(session, invoice.InvoiceId,
                new InvoiceCredited(invoice.InvoiceId, adjustment.InvoiceId, adjustment.Number, adjustment.Amount, adjustment.IssuedAt), ct);
        }

        await session.SaveChangesAsync(ct);
        return created;
    }

    private static ProblemDetails MayBeAdjusted(Invoice invoice) => invoice switch
    {
        { Kind: not DocumentKind.Invoice } => Problems.Conflict("invoiceId",
            $"{invoice.Number} is not a quarter's invoice: adjust the invoice it refers to ({string.Join(", ", invoice.References.Select(r => r.Number))})."),
        { CancelledBy: { } by } => Problems.Conflict("invoiceId",
            $"{invoice.Number} was cancelled by credit note {by.Number}: invoice the quarter again instead."),
        _ => Problems.None,
    };
}
