using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/invoices/{invoiceId}/credit-note")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(string invoiceId, IssueCreditNote command, HttpContext http, BillingWrites billing, CancellationToken ct) =>
        BillingAccess.Answer(await billing.OnDocumentAsync(http, invoiceId, DocumentReads.Cancellation, s => BillingDecider.IssueCreditNote(command, invoiceId, s), ct),
            repeated: s => s.CancellingNote);
}
