using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Cooperation.Api.Billing;

/// <summary>Who may do what with billing documents, and the one way every billing change is written.</summary>
public static class BillingAccess
{
    /// <summary>Both cities' finance read; auditors read everything.</summary>
    public const string Readers = $"{Roles.Finance},{Roles.Auditor}";

    public static Task<Invoice?> LoadAsync(IQuerySession session, string invoiceId, CancellationToken ct) =>
        session.LoadAsync<Invoice>(StreamKeys.Invoice(invoiceId), ct);

    /// <summary>404 for a document that does not exist or that the caller's city is no party to.</summary>
    public static ProblemDetails MustReach(Invoice? document, string invoiceId, ClaimsPrincipal user) =>
        document is not null && Caller.From(user).Reaches(document.ProviderId, document.ClientId)
            ? Problems.None
            : Problems.NotFound($"There is no invoice '{invoiceId}'.");

    /// <summary>
    /// 403 unless the caller is the providing city's finance (or bound to no city): the seller issues its
    /// invoices and credit notes and books what it receives; the client's finance reads them.
    /// </summary>
    public static ProblemDetails MustBeSeller(string providerId, ClaimsPrincipal user) =>
        Caller.From(user) is { Municipality: { } city } && city != providerId
            ? Problems.Forbidden($"Only the finance of the providing city ('{providerId}') issues invoices and credit notes and records payments.")
            : Problems.None;

    /// <summary>The checks every change to a document makes first: 404, 403, then the change's own rule.</summary>
    public static ProblemDetails MayChange(Invoice? document, string invoiceId, ClaimsPrincipal user, Func<Invoice, ProblemDetails> rule) =>
        MustReach(document, invoiceId, user)
            .Then(() => MustBeSeller(document!.ProviderId, user))
            .Then(() => rule(document!));

    /// <summary>The next number's sequence for the provider in the year of issue; call only under the lock.</summary>
    public static async Task<int> NextSequenceAsync(IQuerySession session, string providerId, int year, CancellationToken ct)
    {
        var (first, last) = (new DateOnly(year, 1, 1), new DateOnly(year, 12, 31));
        var latest = await session.Query<Invoice>()
            .Where(i => i.ProviderId == providerId && i.IssuedOn >= first && i.IssuedOn <= last)
            .OrderByDescending(i => i.Sequence)
            .FirstOrDefaultAsync(ct);
        return (latest?.Sequence ?? 0) + 1;
    }

    /// <summary>The quarter's documents in the order they were issued, with the fee due under the contract now.</summary>
    public static async Task<QuarterLedger> LedgerAsync(IQuerySession session, Contract contract, Quarter quarter, CancellationToken ct)
    {
        var documents = await session.Query<Invoice>()
            .Where(i => i.ContractId == contract.ContractId && i.Year == quarter.Year && i.Quarter == quarter.Number)
            .ToListAsync(ct);
        return new QuarterLedger(quarter, contract.FeeDue(quarter), [.. Invoice.InIssueOrder(documents)]);
    }

    /// <summary>
    /// Appends to a document's stream through <c>FetchForWriting</c>: with Marten's quick append a bare
    /// <c>Append</c> leaves the inline snapshot without its version.
    /// </summary>
    public static async Task AppendAsync(IDocumentSession session, string invoiceId, object change, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Invoice>(StreamKeys.Invoice(invoiceId), ct);
        stream.AppendOne(change);
    }

    /// <summary>Starts the document's stream and answers 201 with it.</summary>
    public static IResult Start(IDocumentSession session, InvoiceIssued issued)
    {
        session.Events.StartStream<Invoice>(StreamKeys.Invoice(issued.InvoiceId), issued);
        var document = Invoice.Create(issued) with { Version = 1 };
        return Results.Created($"/api/invoices/{issued.InvoiceId}", InvoiceView.From(document));
    }

    public static string NewId() => "inv-" + Guid.NewGuid().ToString("N");
}
