using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

/// <summary>
/// Money paid on one invoice moved to another invoice of the same contract (domain §3), e.g. from a cancelled
/// invoice to its replacement: an event on each. A repeat (same target, amount and day) is stored once.
/// </summary>
public sealed record TransferPayment(string? ToInvoiceId, decimal? Amount, DateOnly? TransferredOn)
{
    public sealed class Validator : AbstractValidator<TransferPayment>
    {
        public Validator()
        {
            RuleFor(x => x.ToInvoiceId).NotEmpty().MaximumLength(100);
            RuleFor(x => x.Amount).PositiveMoney().LessThan(1_000_000_000m);
            RuleFor(x => x.TransferredOn).NotNull().PlausibleDate();
        }
    }
}

public static class TransferPaymentEndpoint
{
    [WolverinePost("/api/invoices/{invoiceId}/payment-transfers")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(string invoiceId, TransferPayment command, HttpContext http, BillingWrites billing, CancellationToken ct) =>
        BillingAccess.Answer(await billing.OnDocumentAsync(http, invoiceId, DocumentReads.Document,
            s => BillingDecider.TransferPayment(command, invoiceId, s), ct, command.ToInvoiceId), repeated: s => s.Document);
}
