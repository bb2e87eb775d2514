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
    /// The quarterly report of a contract, from the projected tallies (as of now), or from only the events
    /// recorded up to <c>asOf</c>: what finance saw when it billed. <c>Accept: text/csv</c> gives the same figures as CSV.
    /// </summary>
    [WolverineGet("/api/reports/quarterly/{contractId}/{year}/{quarter}")]
    [Authorize(Roles = $"{Roles.Finance},{Roles.Auditor},{Roles.ContractAdmin}")]
    [ProducesResponseType<QuarterlyReport>(StatusCodes.Status200OK, "application/json")]
    [ProducesText(StatusCodes.Status200OK, ReportCsv.MediaType, ReportCsv.MaxLength)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Get(
        string contractId, string year, string quarter, string? asOf, HttpRequest request, ClaimsPrincipal user,
        IQuerySession session, ReportReads reads, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var parsed = Rules.ParseQuarter(year, quarter, errors);
        var at = TimeTravel.ParseAsOf(asOf, errors);

        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var period = parsed!.Value;
        var csv = request.Headers.Accept.Any(a => a?.Contains(ReportCsv.MediaType, StringComparison.OrdinalIgnoreCase) == true);
        Contract? contract;
        ReportTallies? tallies = null;
        if (at is null)
        {
            // The contract and the tallies in one round trip (ADR 16).
            (contract, tallies) = await reads.NowAsync(contractId, [period], withContract: true, ct);
            if (ContractAccess.MustReach(contract, contractId, user) is var unreachable && !unreachable.IsNone())
            {
                return Results.Problem(unreachable);
            }
        }
        else
        {
            (contract, var unreachable) = await ContractAccess.ReadAsync(session, contractId, at, user, ct);
            if (contract is null)
            {
                return Results.Problem(unreachable);
            }
        }

        if (QuarterlyReport.CoveredPart(contract!, period) is null)
        {
            return Results.Problem(ContractAccess.OutsideTerm(contract!, "quarter", period.ToString()));
        }

        if (period.Start > (at ?? clock.GetUtcNow()))
        {
            return Results.Problem(Problems.Conflict("quarter", $"{period} had not begun{(at is null ? string.Empty : " at 'asOf'")}: there is nothing to report yet."));
        }

        if (tallies is not null)
        {
            var answer = ReportAnswers.Now(contract!, period, tallies, csv);
            return csv
                ? Results.File(answer, $"{ReportCsv.MediaType}; charset=utf-8", $"{contractId}-{period}.csv")
                : Results.Bytes(answer, "application/json; charset=utf-8");
        }

        var known = at!.Value;
        var report = await AsOfCache.GetOrComposeAsync(reads, contract!, period, known, clock.GetUtcNow(),
            async () => QuarterlyReport.Compose(contract!, period, await ReportCalls.AsOfAsync(session, reads, contractId, period, known, ct), known), ct);
        return csv
            ? Results.File(ReportCsv.Write(report), $"{ReportCsv.MediaType}; charset=utf-8", $"{contractId}-{period}.csv")
            : Results.Ok(report);
    }
}
