using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Reports;

/// <summary>A day's calls, counted as the quarterly report counts them (so the days add up to its total).</summary>
public sealed record DayCounts(
    DateOnly Date, int Offered, int Answered, int Abandoned, int ShortAbandons, int OfferedOutsideHours, int AnsweredWithinServiceLevel,
    decimal? ServiceLevelPercent)
{
    public static DayCounts Of(DateOnly date, KpiFigures f) => new(
        date, f.Offered, f.Answered, f.Abandoned, f.ShortAbandons, f.OfferedOutsideHours, f.AnsweredWithinServiceLevel, f.ServiceLevelPercent);
}

/// <summary>
/// The calls of each day of the part of a quarter the contract covers (<c>From</c> to <c>To</c>) up to today, quiet
/// days as zeros.
/// </summary>
public sealed record QuarterDays(string ContractId, int Year, int Quarter, DateOnly From, DateOnly To, IReadOnlyList<DayCounts> Days);

/// <summary>
/// What a chart over a contract's life needs in one request each (ADR 24): every quarter's report now, and a
/// quarter's calls per day.
/// </summary>
public static class GetReportTrendEndpoint
{
    /// <summary>Quarters one answer holds at most: the latest 25 years of a contract.</summary>
    public const int MaxQuarters = 100;

    /// <summary>
    /// The report now of every quarter of the contract's term that has begun, oldest first (at most the latest
    /// <see cref="MaxQuarters"/>): the same figures as each quarter's report, from one read of the projected tallies.
    /// </summary>
    [WolverineGet("/api/reports/quarterly/{contractId}")]
    [Authorize(Roles = $"{Roles.Finance},{Roles.Auditor},{Roles.ContractAdmin}")]
    [ProducesResponseType<IReadOnlyList<QuarterlyReport>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> List(string contractId, ClaimsPrincipal user, ReportReads reads, TimeProvider clock, CancellationToken ct)
    {
        var (contract, tallies) = await reads.NowAsync(contractId, null, withContract: true, ct);
        if (ContractAccess.MustReach(contract, contractId, user) is var unreachable && !unreachable.IsNone())
        {
            return Results.Problem(unreachable);
        }

        var answers = QuartersBegun(contract!, clock.GetUtcNow()).Select(q => ReportAnswers.Now(contract!, q, tallies, csv: false));
        return Results.Bytes(JsonArray(answers), "application/json; charset=utf-8");
    }

    /// <summary>The calls of each day of a quarter, as they stand now.</summary>
    [WolverineGet("/api/reports/quarterly/{contractId}/{year}/{quarter}/days")]
    [Authorize(Roles = $"{Roles.Finance},{Roles.Auditor},{Roles.ContractAdmin}")]
    [ProducesResponseType<QuarterDays>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Days(
        string contractId, string year, string quarter, ClaimsPrincipal user, IQuerySession session, ReportReads reads, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        var period = Rules.ParseQuarter(year, quarter, errors);
        if (period is null)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var (contract, unreachable) = await ContractAccess.ReadAsync(session, contractId, null, user, ct);
        if (contract is null)
        {
            return Results.Problem(unreachable);
        }

        if (QuarterlyReport.CoveredPart(contract, period.Value) is not var (from, to))
        {
            return Results.Problem(ContractAccess.OutsideTerm(contract, "quarter", period.Value.ToString()));
        }

        if (period.Value.Start > now)
        {
            return Results.Problem(Problems.Conflict("quarter", $"{period} had not begun: there is nothing to report yet."));
        }

        // The calls as known now (projected rows and the events not yet applied), tallied per day as the report does.
        var calls = await ReportCalls.AsOfAsync(session, reads, contractId, period.Value, now, ct);
        var calendar = ServiceCalendar.For(contract);
        var targets = contract.KpiSettingsOn(to);
        var byDate = calls.GroupBy(c => Berlin.DateOf(c.OfferedAt))
            .ToDictionary(g => g.Key, g => Kpis.Tally(g, calendar, contract.KpiSettingsOn).ToFigures(null, targets));
        var quiet = new KpiTally().ToFigures(null, targets);
        var today = Berlin.DateOf(now);
        var until = today < to ? today : to; // days to come are not zeros yet
        var days = Enumerable.Range(0, Math.Max(0, until.DayNumber - from.DayNumber + 1))
            .Select(i => from.AddDays(i))
            .Select(d => DayCounts.Of(d, byDate.GetValueOrDefault(d) ?? quiet))
            .ToList();
        return Results.Ok(new QuarterDays(contractId, period.Value.Year, period.Value.Number, from, to, days));
    }

    /// <summary>The quarters of the contract's term that have begun by <paramref name="now"/>, the latest <see cref="MaxQuarters"/>.</summary>
    public static IReadOnlyList<Quarter> QuartersBegun(Contract contract, DateTimeOffset now)
    {
        var today = Berlin.DateOf(now);
        if (contract.StartsOn > today)
        {
            return []; // signed for later: nothing to report, also in the quarter it will begin in
        }

        var last = contract.EndsOn is { } end && end < today ? end : today;
        var quarters = new List<Quarter>();
        for (var q = Quarter.Of(contract.StartsOn); q.FirstDay <= last; q = q.Next)
        {
            quarters.Add(q);
        }

        return quarters.Count > MaxQuarters ? quarters[^MaxQuarters..] : quarters;
    }

    private static byte[] JsonArray(IEnumerable<byte[]> elements)
    {
        using var buffer = new MemoryStream();
        buffer.WriteByte((byte)'[');
        var first = true;
        foreach (var element in elements)
        {
            if (!first)
            {
                buffer.WriteByte((byte)',');
            }

            buffer.Write(element);
            first = false;
        }

        buffer.WriteByte((byte)']');
        return buffer.ToArray();
    }
}
