using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

/// <summary>
/// Money paid back to the client from an invoice: at most what was overpaid on it or what it still holds after a
/// credit note cancelled it (domain §3). A repeat (same reference, amount and day) is stored once.
/// </summary>
public sealed record RecordRefund(decimal? Amount, DateOnly? RefundedOn, string? Reference)
{
    public sealed class Validator : AbstractValidator<RecordRefund>
    {
        public Validator()
        {
            RuleFor(x => x.Amount).PositiveMoney().LessThan(1_000_000_000m);
            RuleFor(x => x.RefundedOn).NotNull().PlausibleDate();
            RuleFor(x => x.Reference).OptionalReference();
        }
    }
}

public static class RecordRefundEndpoint
{
    [WolverinePost("/api/invoices/{invoiceId}/refunds")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(string invoiceId, RecordRefund command, HttpContext http, BillingWrites billing, CancellationToken ct) =>
        BillingAccess.Answer(await billing.OnDocumentAsync(http, invoiceId, DocumentReads.Document, s => BillingDecider.RecordRefund(command, invoiceId, s), ct),
            repeated: s => s.Document);
}
