using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

public static class GetInvoiceEndpoint
{
    private const string XmlMediaType = "application/xml";

    /// <summary>
    /// An invoice or credit note with its lines, references, payments and what is still open; or as it was at a
    /// version or an instant (only events recorded by then), for an auditor.
    /// </summary>
    [WolverineGet("/api/invoices/{invoiceId}")]
    [Authorize(Roles = BillingAccess.Readers)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(
        string invoiceId, string? asOf, string? version, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var malformed = TimeTravel.Parse(asOf, version, out var travel);
        if (!malformed.IsNone())
        {
            return Results.Problem(malformed);
        }

        var invoice = travel.IsNow
            ? await BillingAccess.LoadAsync(session, invoiceId, ct)
            : await session.Events.AggregateStreamAsync<Invoice>(StreamKeys.Invoice(invoiceId), version: travel.Version ?? 0, timestamp: travel.AsOf, token: ct);
        if (travel.Version is { } wanted && invoice?.Version != wanted)
        {
            invoice = null; // Marten answers a version past the end with the latest: that version does not exist
        }

        return BillingAccess.MustReach(invoice, invoiceId, Caller.From(user)) is var problem && !problem.IsNone()
            ? Results.Problem(problem)
            : Results.Ok(InvoiceView.From(invoice!));
    }

    /// <summary>
    /// The documents of a contract, in the order they were numbered: optionally of one year's quarters, with a status;
    /// a page at a time.
    /// </summary>
    [WolverineGet("/api/invoices")]
    [Authorize(Roles = BillingAccess.Readers)]
    [ProducesResponseType<IReadOnlyList<InvoiceView>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> List(
        string? contractId, string? year, string? status, string? limit, string? offset, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        Rules.RequireContractId(contractId, "documents are listed per contract", errors);
        var (skip, take) = Rules.ParsePage(limit, offset, Limits.MaxPage, errors);

        var wantedYear = year is null ? null : Rules.ParseYear(year, errors);

        var statuses = status?.Split(',', StringSplitOptions.TrimEntries) ?? [];
        if (statuses.Except(Invoice.Statuses).Any())
        {
            errors["status"] = [$"'status' must be one or more of {string.Join(", ", Invoice.Statuses)}, separated by commas."];
        }

        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var contract = await session.LoadAsync<Contract>(StreamKeys.Contract(contractId!), ct);
        if (ContractAccess.MustReach(contract, contractId!, user) is var unreachable && !unreachable.IsNone())
        {
            return Results.Problem(unreachable);
        }

        var query = session.Query<Invoice>().Where(i => i.ContractId == contractId);
        if (wantedYear is { } only)
        {
            query = query.Where(i => i.Year == only);
        }

        var documents = Invoice.InIssueOrder(await query.ToListAsync(ct))
            .Where(d => statuses.Length == 0 || statuses.Contains(d.Status))
            .Skip(skip).Take(take)
            .Select(InvoiceView.From)
            .ToList();
        return Results.Ok(documents);
    }

    /// <summary>The document as XRechnung 3.0 (UBL 2.1): an Invoice, or a CreditNote for a credit note.</summary>
    [WolverineGet("/api/invoices/{invoiceId}/xrechnung")]
    [Authorize(Roles = BillingAccess.Readers)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, XmlMediaType)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> GetXRechnung(string invoiceId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var invoice = await BillingAccess.LoadAsync(session, invoiceId, ct);
        return BillingAccess.MustReach(invoice, invoiceId, Caller.From(user)) is var problem && !problem.IsNone()
            ? Results.Problem(problem)
            : Results.File(XRechnung.ToUtf8(XRechnung.Write(invoice!)), $"{XmlMediaType}; charset=utf-8", $"{invoice!.Number}.xml");
    }
}
