using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

public static class GetInvoiceEndpoint
{
    /// <summary>An invoice or credit note with its lines, references, payments and what is still open.</summary>
    [WolverineGet("/api/invoices/{invoiceId}")]
    [Authorize(Roles = BillingAccess.Readers)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(string invoiceId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var invoice = await BillingAccess.LoadAsync(session, invoiceId, ct);
        return BillingAccess.MustReach(invoice, invoiceId, user) is var problem && !problem.IsNone()
            ? Results.Problem(problem)
            : Results.Ok(InvoiceView.From(invoice!));
    }
}
