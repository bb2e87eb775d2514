using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Billing;

/// <summary>Who may do what with billing documents, and what billing reads.</summary>
public static class BillingAccess
{
    /// <summary>Both cities' finance read; auditors read everything.</summary>
    public const string Readers = $"{Roles.Finance},{Roles.Auditor}";

    public static Task<Invoice?> LoadAsync(IQuerySession session, string invoiceId, CancellationToken ct) =>
        session.LoadAsync<Invoice>(StreamKeys.Invoice(invoiceId), ct);

    /// <summary>404 for a document that does not exist or that the caller's city is no party to.</summary>
    public static ProblemDetails MustReach(Invoice? document, string invoiceId, Caller caller) =>
        document is not null && caller.Reaches(document.ProviderId, document.ClientId)
            ? Problems.None
            : Problems.NotFound($"There is no invoice '{invoiceId}'.");

    /// <summary>
    /// 403 unless the caller is the providing city's finance (or bound to no city): the seller issues its
    /// invoices and credit notes and books what it receives; the client's finance reads them.
    /// </summary>
    public static ProblemDetails MustBeSeller(string providerId, Caller caller) =>
        caller is { Municipality: { } city } && city != providerId
            ? Problems.Forbidden($"Only the finance of the providing city ('{providerId}') issues invoices and credit notes and records payments.")
            : Problems.None;

    /// <summary>The checks every change to a document makes first: 404, then 403.</summary>
    public static ProblemDetails MayChange(Invoice? document, string invoiceId, Caller caller) =>
        MustReach(document, invoiceId, caller).Then(() => MustBeSeller(document!.ProviderId, caller));

    /// <summary>The checks an invoice of a contract's quarter makes first: 404, then 403.</summary>
    public static ProblemDetails MayInvoice(Contract? contract, string contractId, Caller caller) =>
        (contract is not null && contract.IsReachableBy(caller)
            ? Problems.None
            : Problems.NotFound("contractId", $"There is no contract '{contractId}'."))
        .Then(() => MustBeSeller(contract!.Provider.Id, caller));

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

    public static string NewId() => "inv-" + Guid.NewGuid().ToString("N");

    /// <summary>
    /// The answer to a billing command: the problem; the document it issued (201, located at it), or else the
    /// document it changed (201); for an exact repeat, 200 with the document <paramref name="repeated"/> names.
    /// </summary>
    public static IResult Answer(Written<BillingSituation> written, Func<BillingSituation, Invoice?>? repeated = null)
    {
        var (situation, decision) = written;
        if (decision.Problem is { } problem)
        {
            return Results.Problem(problem);
        }

        if (decision.IsRepeat)
        {
            return Results.Ok(InvoiceView.From(repeated?.Invoke(situation) ?? throw new InvalidOperationException("This command has no repeat.")));
        }

        var change = decision.Changes.FirstOrDefault(c => c.Starts is not null) ?? decision.Changes[0];
        var document = decision.After(change.Starts is null ? situation.Document : null, change.Key)!;
        return Results.Created($"/api/invoices/{document.InvoiceId}", InvoiceView.From(document));
    }
}

/// <summary>What a change of a document reads besides the document itself, under the provider's lock.</summary>
public enum DocumentReads
{
    /// <summary>The document alone (a payment).</summary>
    Document,

    /// <summary>Its quarter: the contract (version-guarded), the quarter's ledger, the next document's identity (an adjustment).</summary>
    Quarter,

    /// <summary>
    /// Its quarter with the contract and the quarter's live adjustments fetched for writing, and the credit note
    /// that cancelled the document, if one did (a cancellation).
    /// </summary>
    Cancellation,
}

/// <summary>
/// The write step of billing (ADR 12, ADR 14): each attempt opens its transaction and takes the provider's billing
/// lock first, then reads the situation afresh under it, lets <see cref="BillingDecider"/> decide, and stores. So
/// numbers stay gap-free, a quarter has one live invoice and no payment lands on an invoice being cancelled. A
/// document or contract the caller may not change (404, 403: facts that do not change) is refused without waiting
/// for the lock, on what was read before it.
/// </summary>
public sealed class BillingWrites(WriteStep step, BillingLock billingLock, ContractCache contracts, TimeProvider clock)
{
    /// <summary>Issues a contract's quarter's invoice; the contract is fetched for writing (the invoice closes the quarter).</summary>
    public Task<Written<BillingSituation>> OnQuarterAsync(
        HttpContext http, string contractId, Quarter quarter, Func<BillingSituation, Decision> decide, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var key = StreamKeys.Contract(contractId);
        var (unlocked, locked) = (default(Contract), false);
        return step.RunAsync(http, async (write, token) =>
        {
            var s = new BillingSituation(caller, clock.GetUtcNow());
            return locked
                ? await WithQuarterAsync(write, s, await write.FetchAsync<Contract>(key, token), quarter, token)
                : s with { Contract = unlocked };
        }, decide, ct, prepare: async (session, token) =>
        {
            unlocked = await session.LoadAsync<Contract>(key, token);
            locked = BillingAccess.MayInvoice(unlocked, contractId, caller).IsNone();
            if (locked)
            {
                await billingLock.AcquireAsync(session, unlocked!.Provider.Id, token);
            }
        });
    }

    /// <summary>Changes a document, or issues one for its quarter, reading <paramref name="reads"/> under the lock.</summary>
    /// <param name="targetInvoiceId">A second invoice the change also writes to (a payment transfer), fetched beside the document.</param>
    public Task<Written<BillingSituation>> OnDocumentAsync(
        HttpContext http, string invoiceId, DocumentReads reads, Func<BillingSituation, Decision> decide, CancellationToken ct, string? targetInvoiceId = null)
    {
        var caller = Caller.From(http.User);
        var (unlocked, locked) = (default(Invoice), false);
        return step.RunAsync(http, async (write, token) =>
        {
            var s = new BillingSituation(caller, clock.GetUtcNow());
            if (!locked)
            {
                return s with { Document = unlocked };
            }

            s = await ReadAsync(write, s, invoiceId, reads, token);
            return targetInvoiceId is null || targetInvoiceId == invoiceId
                ? s with { Target = targetInvoiceId is null ? null : s.Document }
                : s with { Target = await write.FetchAsync<Invoice>(StreamKeys.Invoice(targetInvoiceId), token) };
        }, decide, ct, prepare: async (session, token) =>
        {
            unlocked = await BillingAccess.LoadAsync(session, invoiceId, token);
            locked = BillingAccess.MayChange(unlocked, invoiceId, caller).IsNone();
            if (locked)
            {
                await billingLock.AcquireAsync(session, unlocked!.ProviderId, token);
            }
        });
    }

    private async Task<BillingSituation> ReadAsync(WriteSession write, BillingSituation s, string invoiceId, DocumentReads reads, CancellationToken ct)
    {
        // Afresh, under the lock: another change of the provider may have come first.
        var document = (await write.FetchAsync<Invoice>(StreamKeys.Invoice(invoiceId), ct))!;
        s = s with { Document = document };
        if (reads == DocumentReads.Document)
        {
            return s;
        }

        var cancellation = reads == DocumentReads.Cancellation;
        var contract = cancellation
            ? await write.FetchAsync<Contract>(StreamKeys.Contract(document.ContractId), ct)
            : await contracts.GetAsync(write, document.ContractId, ct);
        s = await WithQuarterAsync(write, s, contract, new Quarter(document.Year, document.Quarter), ct);
        if (!cancellation)
        {
            return s;
        }

        foreach (var adjustment in s.Ledger!.LiveAdjustments.Where(d => d.Id != document.Id))
        {
            await write.FetchAsync<Invoice>(adjustment.Id, ct);
        }

        return document.CancelledBy is { } by ? s with { CancellingNote = await BillingAccess.LoadAsync(write.Session, by.InvoiceId, ct) } : s;
    }

    /// <summary>The contract, its quarter's ledger and the identity the next document of its provider would get.</summary>
    private static async Task<BillingSituation> WithQuarterAsync(WriteSession write, BillingSituation s, Contract? contract, Quarter quarter, CancellationToken ct)
    {
        if (contract is null)
        {
            return s;
        }

        var session = write.Session;
        var sequence = await BillingAccess.NextSequenceAsync(session, contract.Provider.Id, s.Today.Year, ct);
        return s with
        {
            Contract = contract,
            Ledger = await BillingAccess.LedgerAsync(session, contract, quarter, ct),
            Next = new Documents.Issue(BillingAccess.NewId(), sequence, s.Today, s.Now),
        };
    }
}
