using System.Globalization;
using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Reports;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

/// <summary>A document as the reconciliation lists it.</summary>
public sealed record LedgerEntry(
    string InvoiceId, string Number, DocumentKind Kind, string Status, DateOnly IssuedOn, DateOnly? DueOn,
    decimal Amount, decimal Paid, decimal Refunded, DocumentReference? CancelledBy);

/// <summary>
/// One quarter of the reconciliation. <c>FeeDue</c> is the net fee under the contract as it stands (the quarterly
/// report's <c>feeDue</c>); <c>Invoiced</c>, <c>Credited</c>, <c>Paid</c>, <c>Refunded</c> and <c>OpenBalance</c> are
/// amounts payable (gross; equal to net when not subject to VAT), and invoiced − credited − paid + refunded = open
/// balance; <c>Difference</c> is the net fee still to be invoiced (positive) or credited (negative).
/// </summary>
public sealed record ReconciliationQuarter(
    int Quarter, DateOnly From, DateOnly To, bool Ended, decimal FeeDue, decimal Invoiced, decimal Credited, decimal Paid,
    decimal Refunded, decimal OpenBalance, decimal Difference, IReadOnlyList<LedgerEntry> Documents);

/// <summary>The year's service: the KPIs over all its calls, and the year's fee per answered call.</summary>
public sealed record ReconciliationService(KpiFigures Kpis, decimal? CostPerAnsweredCall);

public sealed record Reconciliation(
    string ContractId, int Year, DateTimeOffset? AsOf, VatTreatment Vat, decimal FeeDue, decimal Invoiced, decimal Credited, decimal Paid,
    decimal Refunded, decimal OpenBalance, decimal Difference, IReadOnlyList<ReconciliationQuarter> Quarters, ReconciliationService Service);

public static class GetReconciliationEndpoint
{
    /// <summary>
    /// The annual reconciliation of a contract (domain §3): fee due under the contract for all four quarters,
    /// invoiced or not; every invoice and credit note issued for the year's quarters; payments; open balance.
    /// With <c>asOf</c>, from only the events recorded by then: the reconciliation as finance saw it that day.
    /// </summary>
    [WolverineGet("/api/reconciliation/{contractId}/{year}")]
    [Authorize(Roles = BillingAccess.Readers)]
    [ProducesResponseType<Reconciliation>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Get(
        string contractId, string year, string? asOf, ClaimsPrincipal user, IQuerySession session, ReportReads reads, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var y = Rules.ParseYear(year, errors) ?? 0;
        var at = TimeTravel.ParseAsOf(asOf, errors);
        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var (contract, unreachable) = await ContractAccess.ReadAsync(session, contractId, at, user, ct);
        if (contract is null)
        {
            return Results.Problem(unreachable);
        }

        var quarters = Enumerable.Range(1, 4).Select(q => new Quarter(y, q)).ToList();
        if (quarters.All(q => QuarterlyReport.CoveredPart(contract, q) is null))
        {
            return Results.Problem(ContractAccess.OutsideTerm(contract, "year", y.ToString(CultureInfo.InvariantCulture)));
        }

        var documents = await DocumentsAsync(session, contract.ContractId, y, at, ct);
        var now = at ?? clock.GetUtcNow();
        var today = Berlin.DateOf(now);
        var rows = quarters.Select(q => Row(new QuarterLedger(q, contract.FeeDue(q),
            [.. Invoice.InIssueOrder(documents.Where(d => d.Quarter == q.Number))]), today)).ToList();

        var feeDue = Money.Total(rows.Select(r => r.FeeDue));
        var kpis = await KpisAsync(session, reads, contract, quarters, now, at is not null, ct);
        return Results.Ok(new Reconciliation(
            contract.ContractId, y, at, contract.Vat,
            feeDue, Money.Total(rows.Select(r => r.Invoiced)), Money.Total(rows.Select(r => r.Credited)),
            Money.Total(rows.Select(r => r.Paid)), Money.Total(rows.Select(r => r.Refunded)), Money.Total(rows.Select(r => r.OpenBalance)), Money.Total(rows.Select(r => r.Difference)), rows,
            new ReconciliationService(kpis, Kpis.PerCall(feeDue, kpis.Answered))));
    }

    private static ReconciliationQuarter Row(QuarterLedger ledger, DateOnly today) => new(
        ledger.Quarter.Number, ledger.Quarter.FirstDay, ledger.Quarter.LastDay, ledger.Quarter.LastDay < today,
        ledger.FeeDue, ledger.Invoiced, ledger.Credited, ledger.Paid, ledger.Refunded, ledger.OpenBalance, ledger.Difference,
        [.. ledger.Documents.Select(d => new LedgerEntry(
            d.InvoiceId, d.Number, d.Kind, d.Status, d.IssuedOn, d.DueOn, d.Amount, d.Paid, d.Refunded, d.CancelledBy))]);

    /// <summary>The year's documents now, or each as it stood at <paramref name="asOf"/> (those not issued by then left out).</summary>
    private static async Task<IReadOnlyList<Invoice>> DocumentsAsync(IQuerySession session, string contractId, int year, DateTimeOffset? asOf, CancellationToken ct)
    {
        var now = await session.Query<Invoice>().Where(i => i.ContractId == contractId && i.Year == year).ToListAsync(ct);
        if (asOf is null)
        {
            return now;
        }

        var then = new List<Invoice>();
        foreach (var document in now)
        {
            if (await session.Events.AggregateStreamAsync<Invoice>(document.Id, timestamp: asOf, token: ct) is { } known)
            {
                then.Add(known);
            }
        }

        return then;
    }

    /// <summary>The KPIs over the year's calls so far, measured against the targets in force at the year's last covered day.</summary>
    private static async Task<KpiFigures> KpisAsync(
        IQuerySession session, ReportReads reads, Contract contract, IReadOnlyList<Quarter> quarters, DateTimeOffset now, bool asOf, CancellationToken ct)
    {
        var counted = quarters.Where(q => QuarterlyReport.CoveredPart(contract, q) is not null && q.Start <= now).ToList();
        var lastDay = quarters.Select(q => QuarterlyReport.CoveredPart(contract, q)).OfType<(DateOnly From, DateOnly To)>().Max(p => p.To);
        if (asOf)
        {
            var targets = contract.KpiSettingsOn(lastDay);
            var calls = new List<ReportCall>();
            foreach (var quarter in counted)
            {
                calls.AddRange(await ReportCalls.AsOfAsync(session, reads, contract.ContractId, quarter, now, ct));
            }

            return Kpis.Count(calls, ServiceCalendar.For(contract), contract.KpiSettingsOn, targets);
        }

        // The year is the sum of its quarters' tallies: each call counted by the thresholds of its own day.
        var tallies = await reads.TalliesAsync(contract.ContractId, counted, ct);
        if (tallies.Missing)
        {
            throw new ReportsBehindException(tallies.Current);
        }

        // The targets of the contract the tallies were counted under.
        return KpiTally.Sum(tallies.Tallies.Values).ToFigures(null, (tallies.Counted ?? contract).KpiSettingsOn(lastDay));
    }
}
