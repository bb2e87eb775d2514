using Cooperation.Api.Billing;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// The demo contract's past quarters as finance billed them: Q4 2020 invoiced in January 2021 and paid in
/// full, Q1 2021 invoiced in April and paid in part, so the reconciliation shows an open balance. Issued on
/// those days, through the same documents and lock as the API.
/// </summary>
public static class DemoBilling
{
    private sealed record Billed(Quarter Quarter, DateOnly IssuedOn, decimal? Paid, DateOnly PaidOn, string Reference);

    private static readonly Billed[] Quarters =
    [
        new(new Quarter(2020, 4), new DateOnly(2021, 1, 11), null, new DateOnly(2021, 2, 8), "Stadtkasse Castrop-Rauxel KA-2021-0042"),
        new(new Quarter(2021, 1), new DateOnly(2021, 4, 12), 40_000.00m, new DateOnly(2021, 5, 10), "Stadtkasse Castrop-Rauxel KA-2021-0311"),
    ];

    public static string InvoiceId(Quarter quarter) => $"demo-invoice-{quarter.Year}-q{quarter.Number}";

    public static async Task SeedAsync(IDocumentStore store, Action<string> log, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        session.LastModifiedBy = DemoData.Actor;
        if (await session.LoadAsync<Invoice>(StreamKeys.Invoice(InvoiceId(Quarters[0].Quarter)), ct) is not null)
        {
            log("Demo: invoices are already there.");
            return;
        }

        var contract = (await session.LoadAsync<Contract>(StreamKeys.Contract(DemoData.ContractId), ct))!;
        await BillingAccess.LockAsync(session, contract.Provider.Id, ct);
        var sequence = await BillingAccess.NextSequenceAsync(session, contract.Provider.Id, 2021, ct);
        foreach (var billed in Quarters)
        {
            var issuedAt = Berlin.At(billed.IssuedOn, new TimeOnly(10, 0));
            var issued = Documents.QuarterInvoice(contract, billed.Quarter, new Documents.Issue(InvoiceId(billed.Quarter), sequence++, billed.IssuedOn, issuedAt));
            var paid = new PaymentRecorded(issued.InvoiceId, billed.Paid ?? issued.Amount, billed.PaidOn, billed.Reference, Berlin.At(billed.PaidOn, new TimeOnly(14, 0)));
            session.Events.StartStream<Invoice>(StreamKeys.Invoice(issued.InvoiceId), issued, paid);
            log($"Demo: invoiced {billed.Quarter} as {issued.Number} ({issued.Amount:0.00} EUR, due {issued.DueOn:yyyy-MM-dd}), paid {paid.Amount:0.00} on {paid.PaidOn:yyyy-MM-dd}.");
        }

        await session.SaveChangesAsync(ct);
    }
}
