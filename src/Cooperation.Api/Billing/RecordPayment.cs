using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

/// <summary>
/// Money received against an invoice: partial, complete or more than owed (a balance in the client's favour).
/// A repeat is stored once: the same <c>reference</c> with the same figures, or, without a reference, the same
/// amount on the same day (two equal payments on one day need references to tell them apart).
/// </summary>
public sealed record RecordPayment(decimal? Amount, DateOnly? PaidOn, string? Reference)
{
    public sealed class Validator : AbstractValidator<RecordPayment>
    {
        public Validator()
        {
            RuleFor(x => x.Amount).PositiveMoney().LessThan(1_000_000_000m);
            RuleFor(x => x.PaidOn).NotNull().PlausibleDate();
            RuleFor(x => x.Reference).MaximumLength(140).Must(r => r is null || r.Trim().Length > 0)
                .WithMessage("'reference' must not be blank: leave it out instead.");
        }
    }
}

public static class RecordPaymentEndpoint
{
    public static Task<Invoice?> LoadAsync(string invoiceId, IDocumentSession session, CancellationToken ct) =>
        BillingAccess.LoadAsync(session, invoiceId, ct);

    public static ProblemDetails Validate(RecordPayment command, Invoice? invoice, string invoiceId, ClaimsPrincipal user, TimeProvider clock) =>
        BillingAccess.MayChange(invoice, invoiceId, user, i => command.PaidOn > Berlin.Today(clock)
            ? Problems.Invalid("paidOn", "'paidOn' may not be in the future.")
            : MayBePaid(command, i));

    [WolverinePost("/api/invoices/{invoiceId}/payments")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(RecordPayment command, Invoice invoice, IDocumentSession session, BillingLock billingLock, TimeProvider clock, CancellationToken ct)
    {
        invoice = await billingLock.AcquireAsync(session, invoice, ct);
        if (IsRepeat(command, invoice))
        {
            return Results.Ok(InvoiceView.From(invoice)); // the same payment, told again (even after a cancellation)
        }

        if (MayBePaid(command, invoice) is var problem && !problem.IsNone())
        {
            return Results.Problem(problem);
        }

        var paid = new PaymentRecorded(invoice.InvoiceId, Money.Round(command.Amount!.Value), command.PaidOn!.Value, command.Reference?.Trim(), clock.GetUtcNow());
        await BillingAccess.AppendAsync(session, invoice.InvoiceId, paid, ct);
        await session.SaveChangesAsync(ct);
        return Results.Created($"/api/invoices/{invoice.InvoiceId}", InvoiceView.From(invoice.Apply(paid) with { Version = invoice.Version + 1 }));
    }

    /// <summary>A payment recorded already: the same reference and figures, or without a reference the same amount and day.</summary>
    private static bool IsRepeat(RecordPayment command, Invoice invoice)
    {
        var reference = command.Reference?.Trim();
        return invoice.Payments.Any(p => p.Reference == reference && p.Amount == command.Amount && p.PaidOn == command.PaidOn);
    }

    private static ProblemDetails MayBePaid(RecordPayment command, Invoice invoice)
    {
        if (IsRepeat(command, invoice))
        {
            return Problems.None;
        }

        if (invoice.IsCreditNote)
        {
            return Problems.Conflict("invoiceId", $"{invoice.Number} is a credit note: payments are recorded against invoices.");
        }

        if (invoice.CancelledBy is { } by)
        {
            return Problems.Conflict("invoiceId", $"{invoice.Number} was cancelled by credit note {by.Number}: record the payment against the invoice that replaced it.");
        }

        if (command.PaidOn < invoice.IssuedOn)
        {
            return Problems.Conflict("paidOn", $"'paidOn' ({command.PaidOn:yyyy-MM-dd}) may not precede the invoice's issue on {invoice.IssuedOn:yyyy-MM-dd}.");
        }

        var reference = command.Reference?.Trim();
        var earlier = reference is null ? null : invoice.Payments.FirstOrDefault(p => p.Reference == reference);
        return earlier is not null && (earlier.Amount != command.Amount || earlier.PaidOn != command.PaidOn)
            ? Problems.Conflict("reference",
                $"A payment with reference '{reference}' was recorded already: {earlier.Amount:0.00} on {earlier.PaidOn:yyyy-MM-dd}.")
            : Problems.None;
    }
}
