using System.Globalization;
using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Reports;

public static class GetQuarterlyReportEndpoint
{
    /// <summary>
    /// The quarterly report of a contract, from the projected call facts (as of now), or from only the events
    /// recorded up to <c>asOf</c>: what finance saw when it billed. <c>Accept: text/csv</c> gives the same figures as CSV.
    /// </summary>
    [WolverineGet("/api/reports/quarterly/{contractId}/{year}/{quarter}")]
    [Authorize(Roles = $"{Roles.Finance},{Roles.Auditor},{Roles.ContractAdmin}")]
    [ProducesResponseType<QuarterlyReport>(StatusCodes.Status200OK, "application/json", ReportCsv.MediaType)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Get(
        string contractId, string year, string quarter, string? asOf, HttpRequest request, ClaimsPrincipal user,
        IQuerySession session, ReportReads reads, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var y = Rules.ParseYear(year, errors) ?? 0;

        if (!int.TryParse(quarter, NumberStyles.None, CultureInfo.InvariantCulture, out var q) || q < 1 || q > 4)
        {
            errors["quarter"] = ["'quarter' must be 1, 2, 3 or 4."];
        }

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

        var period = new Quarter(y, q);
        if (QuarterlyReport.CoveredPart(contract, period) is null)
        {
            return Results.Problem(ContractAccess.OutsideTerm(contract, "quarter", period.ToString()));
        }

        if (period.Start > (at ?? clock.GetUtcNow()))
        {
            return Results.Problem(Problems.Conflict("quarter", $"{period} had not begun{(at is null ? string.Empty : " at 'asOf'")}: there is nothing to report yet."));
        }

        var report = at is { } known
            ? await AsOfCache.GetOrComposeAsync(reads, contract, period, known, clock.GetUtcNow(),
                async () => QuarterlyReport.Compose(contract, period, await ReportCalls.AsOfAsync(session, reads, contractId, period, known, ct), known), ct)
            : await NowAsync(reads, contract, period, ct);

        return request.Headers.Accept.Any(a => a?.Contains(ReportCsv.MediaType, StringComparison.OrdinalIgnoreCase) == true)
            ? Results.File(ReportCsv.Write(report), $"{ReportCsv.MediaType}; charset=utf-8", $"{contractId}-{period}.csv")
            : Results.Ok(report);
    }

    /// <summary>The report now: one read of the quarter's tallies.</summary>
    private static async Task<QuarterlyReport> NowAsync(ReportReads reads, Contract contract, Quarter period, CancellationToken ct)
    {
        var tallies = await reads.TalliesAsync(contract.ContractId, [period], ct);
        if (tallies.Generation is null && tallies.Current.LatestSequence > 0)
        {
            throw new ReportsBehindException(tallies.Current);
        }

        var key = period.ToString();
        return QuarterlyReport.Compose(contract, period, tallies.Lines(key).ToDictionary(l => l, l => tallies.Of(key, l)), null, tallies.Current);
    }
}
