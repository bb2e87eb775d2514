using System.Globalization;
using System.Security.Claims;
using Cooperation.Api.Billing;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Contracts;

/// <summary>Reading a contract: for the reads of every feature, and for the decisions on its own commands.</summary>
public static class ContractAccess
{
    /// <summary>The 404 of <see cref="ContractDecider.MustReach"/>, for the reads of other features.</summary>
    public static ProblemDetails MustReach(Contract? contract, string contractId, ClaimsPrincipal user) =>
        ContractDecider.MustReach(contract, contractId, Caller.From(user));

    /// <summary>
    /// The contract now, or as it was at <paramref name="at"/> (only events recorded by then), for a reader the
    /// contract must reach; otherwise the 404 that says which.
    /// </summary>
    public static async Task<(Contract? Contract, ProblemDetails Problem)> ReadAsync(
        IQuerySession session, string contractId, DateTimeOffset? at, ClaimsPrincipal user, CancellationToken ct)
    {
        var key = StreamKeys.Contract(contractId);
        var contract = at is not null
            ? await session.Events.AggregateStreamAsync<Contract>(key, timestamp: at, token: ct)
            : await session.LoadAsync<Contract>(key, ct);
        return contract is not null && contract.IsReachableBy(Caller.From(user))
            ? (contract, Problems.None)
            : (null, Problems.NotFound(at is null
                ? $"There is no contract '{contractId}'."
                : $"There was no contract '{contractId}' at {at:O}."));
    }

    /// <summary>409 for a period (a quarter, a year) that the contract's term does not touch.</summary>
    public static ProblemDetails OutsideTerm(Contract contract, string field, string period) =>
        Problems.Conflict(field, string.Create(CultureInfo.InvariantCulture,
            $"The contract covers {contract.StartsOn:yyyy-MM-dd} to {(contract.EndsOn is { } end ? end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "open end")}; {period} lies outside its term."));

    /// <summary>
    /// What a change of an existing contract is decided on: the contract, fetched for writing (the save checks it
    /// is still at the version read), who asks and the time.
    /// </summary>
    public static async Task<ContractSituation> ReadForChangeAsync(
        WriteSession write, string contractId, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        new(contractId, await write.FetchAsync<Contract>(StreamKeys.Contract(contractId), ct), Caller.From(http.User), clock.GetUtcNow());

    /// <summary>The write step of a change of an existing contract: reads it, lets <paramref name="decide"/> decide, stores.</summary>
    public static Task<Written<ContractSituation>> ChangeAsync(
        this WriteStep step, HttpContext http, string contractId, TimeProvider clock, Func<ContractSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, (write, token) => ReadForChangeAsync(write, contractId, http, clock, token), decide, ct);

    /// <summary>
    /// The write step of a change of the service calendar from <paramref name="from"/> on: besides the contract, the
    /// late referrals of the invoiced quarters whose clocks could reach that day (<see cref="ContractSituation.LateReferrals"/>).
    /// </summary>
    public static Task<Written<ContractSituation>> ChangeCalendarAsync(
        this WriteStep step, HttpContext http, string contractId, DateOnly from, TimeProvider clock, Func<ContractSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, async (write, token) =>
        {
            var s = await ReadForChangeAsync(write, contractId, http, clock, token);
            return s.Contract is { ClosedQuarters.Count: > 0 } contract
                ? s with { LateReferrals = await LateReferralsAsync(write.Session, contract, from, s.Now, token) }
                : s;
        }, decide, ct);

    /// <summary>
    /// The latest completion after the quarter's end of a referring call of each invoiced quarter where it matters:
    /// where the quarter's end alone lets the change through, but a clock started as late as the invoice could not.
    /// A call of an invoiced quarter is not completed or corrected any more, so its referrals started by then. Every
    /// completion ever recorded for the call counts, the corrected ones too: the latest is the safe side.
    /// </summary>
    private static async Task<IReadOnlyDictionary<Quarter, DateTimeOffset>> LateReferralsAsync(
        IDocumentSession session, Contract contract, DateOnly from, DateTimeOffset now, CancellationToken ct)
    {
        var calendar = Reports.ServiceCalendar.For(contract);
        var late = new Dictionary<Quarter, DateTimeOffset>();
        var referrals = session.DocumentStore.Options.FindOrResolveDocumentType(typeof(Referrals.Referral)).TableName.QualifiedName;
        var events = $"{session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_events";
        foreach (var closed in contract.ClosedQuarters)
        {
            var quarter = closed.Period;
            var latest = closed.ClosedAt ?? now;
            if (from <= quarter.LastDay
                || calendar.FirstDayPast(ContractDecider.ClockStartOf(quarter, late), Reports.Kpis.ReferralClock) > from
                || calendar.FirstDayPast(latest, Reports.Kpis.ReferralClock) <= from)
            {
                continue; // refused, or let through, whatever was completed late
            }

            var end = Berlin.StartOf(quarter.LastDay.AddDays(1));
            // Marten makes a document's table on its first use; a contract without a referral may not have one yet.
            await session.Database.EnsureStorageExistsAsync(typeof(Referrals.Referral), ct);
            var completed = await session.AdvancedSql.QueryAsync<DateTimeOffset>($"""
                select max((e.data ->> 'completedAt')::timestamptz)
                from {referrals} r
                join {events} o on o.stream_id = '{StreamKeys.CallPrefix}' || (r.data ->> 'callId') and o.version = 1
                join {events} e on e.stream_id = o.stream_id
                where r.data ->> 'contractId' = ?
                  and (r.data ->> 'openedAt')::timestamptz >= ?
                  and (o.data ->> 'offeredAt')::timestamptz < ?
                  and (e.data ->> 'completedAt')::timestamptz > ?
                having max((e.data ->> 'completedAt')::timestamptz) is not null
                """, ct, contract.ContractId, quarter.Start.ToUniversalTime(), end.ToUniversalTime(), end.ToUniversalTime());
            if (completed.Count > 0)
            {
                late[quarter] = completed[0];
            }
        }

        return late;
    }

    /// <summary>
    /// What a signing is decided on: besides the stream (empty, unless the id is taken), its first event if it
    /// exists; otherwise, under the provider's billing lock held to the save's commit (so that two signings with
    /// different prefixes cannot both pass), a contract of the provider numbering with another prefix.
    /// </summary>
    public static async Task<ContractSituation> ReadForSigningAsync(
        WriteSession write, SignContract command, string contractId, HttpContext http, TimeProvider clock, BillingLock billingLock, CancellationToken ct)
    {
        var s = await ReadForChangeAsync(write, contractId, http, clock, ct);
        var session = write.Session;
        if (s.Contract is not null)
        {
            var first = await session.Events.FetchStreamAsync(s.Key, version: 1, token: ct);
            return s with { Signed = first.Count > 0 ? first[0].Data as ContractSigned : null };
        }

        if (!ContractDecider.MustActForAParty(command, s.Caller).IsNone())
        {
            return s; // refused without the lock
        }

        var provider = command.Provider!;
        await billingLock.AcquireAsync(session, provider.Id!, ct);
        return s with
        {
            OtherPrefix = await session.Query<Contract>()
                .Where(c => c.Provider.Id == provider.Id && c.Provider.InvoicePrefix != provider.InvoicePrefix)
                .FirstOrDefaultAsync(ct),
        };
    }

    /// <summary>
    /// The answer to a contract's command: the problem, or the contract as it stands after the decision (201 with
    /// its location when <paramref name="createdOnChange"/> and the decision started it).
    /// </summary>
    public static IResult Answer(Written<ContractSituation> written, bool createdOnChange = false)
    {
        var (situation, decision) = written;
        if (decision.Problem is { } problem)
        {
            return Results.Problem(problem);
        }

        var contract = decision.After(situation.Contract, situation.Key)!;
        var view = ContractView.From(contract, Berlin.DateOf(situation.Now));
        return createdOnChange && !decision.IsRepeat
            ? Results.Created($"/api/contracts/{contract.ContractId}", view)
            : Results.Ok(view);
    }
}
