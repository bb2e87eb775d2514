using Cooperation.Api.Infrastructure;
using FluentValidation;
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
            RuleFor(x => x.Reference).OptionalReference();
        }
    }
}

public static class RecordPaymentEndpoint
{
    [WolverinePost("/api/invoices/{invoiceId}/payments")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(string invoiceId, RecordPayment command, HttpContext http, BillingWrites billing, CancellationToken ct) =>
        BillingAccess.Answer(await billing.OnDocumentAsync(http, invoiceId, DocumentReads.Document, s => BillingDecider.RecordPayment(command, invoiceId, s), ct),
            repeated: s => s.Document);
}
