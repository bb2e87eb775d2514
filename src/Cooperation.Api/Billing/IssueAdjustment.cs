using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/invoices/{invoiceId}/adjustments")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(string invoiceId, IssueAdjustment command, HttpContext http, BillingWrites billing, CancellationToken ct) =>
        BillingAccess.Answer(await billing.OnDocumentAsync(http, invoiceId, DocumentReads.Quarter, s => BillingDecider.IssueAdjustment(command, invoiceId, s), ct));
}
