using System.Globalization;
using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Contracts;

/// <summary>Loading a contract for a change, and the checks every change makes first.</summary>
public static class ContractAccess
{
    public static Task<IEventStream<Contract>> FetchForWriting(IDocumentSession session, string contractId, CancellationToken ct) =>
        session.Events.FetchForWriting<Contract>(StreamKeys.Contract(contractId), ct);

    /// <summary>
    /// 404 for a contract that does not exist or that the caller's municipality is no party to:
    /// another city's caller learns nothing, not even that it exists.
    /// </summary>
    public static ProblemDetails MustReach(Contract? contract, string contractId, ClaimsPrincipal user) =>
        contract is not null && contract.IsReachableBy(Caller.From(user))
            ? Problems.None
            : Problems.NotFound($"There is no contract '{contractId}'.");

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

    /// <summary>409 when a dated change would fall outside the contract's term.</summary>
    public static ProblemDetails MustFallWithinTerm(Contract contract, string field, DateOnly date)
    {
        if (date < contract.StartsOn)
        {
            return Problems.Conflict(field, $"'{field}' ({date:yyyy-MM-dd}) may not predate the contract's start on {contract.StartsOn:yyyy-MM-dd}.");
        }

        if (contract.EndsOn is { } end && date > end)
        {
            var why = contract.Status == ContractStatus.Terminated ? "was terminated and ends" : "ends";
            return Problems.Conflict(field, $"'{field}' ({date:yyyy-MM-dd}) may not follow the contract's end: it {why} on {end:yyyy-MM-dd}.");
        }

        return Problems.None;
    }

    /// <summary>
    /// 409 for a change that would take effect on or before the end of an invoiced quarter (domain §6): the
    /// billed figures stay as billed. <paramref name="firstDayChanged"/> is the first day the change alters.
    /// </summary>
    public static ProblemDetails MustNotReachIntoClosedQuarter(Contract contract, string field, DateOnly firstDayChanged) =>
        contract.LatestClosed is { } closed && firstDayChanged <= closed.Period.LastDay
            ? Problems.Conflict(field,
                $"{closed.Period} of this contract is invoiced ({closed.InvoiceNumber}): a change may take effect from {closed.Period.LastDay.AddDays(1):yyyy-MM-dd} on. Cancel the invoice with a credit note to reopen the quarter, or date the change later.")
            : Problems.None;

    /// <summary>Appends the change's event and answers with the contract as it stands after it.</summary>
    public static IResult Append(IEventStream<Contract> stream, object change, Contract after, TimeProvider clock)
    {
        stream.AppendOne(change);
        return Changed(after with { Version = stream.Aggregate!.Version + 1 }, clock);
    }

    /// <summary>The 200 answer to a change: the contract as it stands after it.</summary>
    public static IResult Changed(Contract contract, TimeProvider clock) =>
        Results.Ok(ContractView.From(contract, Berlin.Today(clock)));
}
