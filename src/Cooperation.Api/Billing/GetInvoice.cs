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

    /// <summary>The document as XRechnung 3.0 (UBL 2.1): an Invoice, or a CreditNote for a credit note.</summary>
    [WolverineGet("/api/invoices/{invoiceId}/xrechnung")]
    [Authorize(Roles = BillingAccess.Readers)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, XmlMediaType)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> GetXRechnung(string invoiceId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var invoice = await BillingAccess.LoadAsync(session, invoiceId, ct);
        return BillingAccess.MustReach(invoice, invoiceId, user) is var problem && !problem.IsNone()
            ? Results.Problem(problem)
            : Results.File(XRechnung.ToUtf8(XRechnung.Write(invoice!)), $"{XmlMediaType}; charset=utf-8", $"{invoice!.Number}.xml");
    }

    private const string XmlMediaType = "application/xml";
}
