using Cooperation.Api.Billing;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// The demo contract billed as finance would have: every ended quarter invoiced on the 11th of the month after
/// it and paid four weeks later; Q2 2021 cancelled by a credit note and invoiced again; the latest invoice
/// paid in part (at the latest today), so the reconciliation shows an open balance; a quarter that ended less than eleven days ago
/// is left to invoice. A later run invoices the quarters that have become due since (the one paid in part stays so).
/// The same documents and lock as the API.
/// </summary>
public static class DemoBilling
{
    public const decimal PartPayment = 40_000.00m;
    public static readonly Quarter Corrected = new(2021, 2);

    public static string InvoiceId(Quarter quarter) => $"demo-invoice-{quarter.Year}-q{quarter.Number}";

    public static async Task SeedAsync(IDocumentStore store, BillingLock billingLock, TimeProvider clock, Action<string> log, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        session.LastModifiedBy = DemoData.Actor;
        var contract = (await session.LoadAsync<Contract>(StreamKeys.Contract(DemoData.ContractId), ct))!;
        var today = Berlin.Today(clock);
        // Quarters whose invoice is there are left alone: a later run bills only what has become due since.
        var there = (await session.LoadManyAsync<Invoice>(ct, Billed(today).Select(q => StreamKeys.Invoice(InvoiceId(q)))))
            .Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        // A quarter someone invoiced through the API meanwhile is closed: it is not billed twice.
        var billed = Billed(today).Where(q => !there.Contains(StreamKeys.Invoice(InvoiceId(q))) && contract.ClosingOf(q) is null).ToList();
        if (billed.Count == 0)
        {
            log("Demo: invoices are already there.");
            return;
        }

        await billingLock.AcquireAsync(session, contract.Provider.Id, ct);
        var contractStream = await session.Events.FetchForExclusiveWriting<Contract>(StreamKeys.Contract(contract.ContractId), ct);

        var sequences = new Dictionary<int, int>();
        async Task<Documents.Issue> Issue(string id, DateOnly day)
        {
            if (!sequences.TryGetValue(day.Year, out var next))
            {
                next = await BillingAccess.NextSequenceAsync(session, contract.Provider.Id, day.Year, ct);
            }

            sequences[day.Year] = next + 1;
            return new Documents.Issue(id, next, day, Berlin.At(day, new TimeOnly(10, 0)));
        }

        foreach (var quarter in billed)
        {
            var issuedOn = IssueDay(quarter);
            if (quarter == Corrected)
            {
                var wrongIssued = Documents.QuarterInvoice(contract, quarter, await Issue(InvoiceId(quarter) + "-cancelled", issuedOn));
                var wrong = Invoice.Create(wrongIssued);
                var credit = Documents.Cancellation(contract, new QuarterLedger(quarter, contract.FeeDue(quarter), [wrong]), wrong,
                    "Rechnung ohne Bestellzeichen der Stadtkasse; ersetzt durch neue Rechnung.", await Issue($"demo-credit-note-{quarter.Year}-q{quarter.Number}", issuedOn.AddDays(3)));
                session.Events.StartStream<Invoice>(wrong.Id, wrongIssued,
                    new InvoiceCancelled(wrong.InvoiceId, credit.InvoiceId, credit.Number, credit.IssuedOn, credit.IssuedAt));
                session.Events.StartStream<Invoice>(StreamKeys.Invoice(credit.InvoiceId), credit);
                contractStream.AppendMany(
                    new QuarterClosed(contract.ContractId, quarter.Year, quarter.Number, wrong.InvoiceId, wrong.Number, wrong.IssuedAt),
                    new QuarterReopened(contract.ContractId, quarter.Year, quarter.Number, credit.InvoiceId, credit.Number, credit.IssuedAt));
                log($"Demo: {wrong.Number} for {quarter} cancelled by credit note {credit.Number}.");
                issuedOn = issuedOn.AddDays(4);
            }

            var issued = Documents.QuarterInvoice(contract, quarter, await Issue(InvoiceId(quarter), issuedOn));
            var latest = quarter == billed[^1];
            var paidOn = latest && issuedOn.AddDays(28) > today ? today : issuedOn.AddDays(28);
            var paid = new PaymentRecorded(issued.InvoiceId, latest ? PartPayment : issued.Amount, paidOn,
                $"Stadtkasse Castrop-Rauxel KA-{issued.Number}", Berlin.At(paidOn, new TimeOnly(14, 0)));
            session.Events.StartStream<Invoice>(StreamKeys.Invoice(issued.InvoiceId), issued, paid);
            contractStream.AppendOne(new QuarterClosed(contract.ContractId, quarter.Year, quarter.Number, issued.InvoiceId, issued.Number, issued.IssuedAt));
        }

        await session.SaveChangesAsync(ct);
        log($"Demo: invoiced {(billed.Count == 1 ? $"{billed[0]}" : $"{billed.Count} quarters ({billed[0]} to {billed[^1]})")}; the latest is paid in part, the others in full.");
    }

    /// <summary>The quarters invoiced by <paramref name="today"/>: from the contract's first to the last whose invoice day has come.</summary>
    public static IReadOnlyList<Quarter> Billed(DateOnly today)
    {
        var billed = new List<Quarter>();
        for (var quarter = Quarter.Of(DemoData.Contract.StartsOn!.Value); IssueDay(quarter) <= today; quarter = quarter.Next)
        {
            billed.Add(quarter);
        }

        return billed;
    }

    /// <summary>Finance invoices a quarter on the 11th of the month after it.</summary>
    private static DateOnly IssueDay(Quarter quarter) => quarter.LastDay.AddDays(11);
}
