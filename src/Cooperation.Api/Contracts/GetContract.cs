using System.Globalization;
using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

public static class GetContractEndpoint
{
    /// <summary>
    /// The contract now, or as it was at a version or at an instant (only events recorded by then):
    /// the time travel an auditor needs.
    /// </summary>
    [WolverineGet("/api/contracts/{contractId}")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Get(
        string contractId, string? asOf, string? version, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var malformed = TimeTravel.Parse(asOf, version, out var travel);
        if (!malformed.IsNone())
        {
            return Results.Problem(malformed);
        }

        var (instant, wanted) = (travel.AsOf, travel.Version);
        var key = StreamKeys.Contract(contractId);
        var contract = instant is null && wanted is null
            ? await session.LoadAsync<Contract>(key, ct)
            : await session.Events.AggregateStreamAsync<Contract>(key, version: wanted ?? 0, timestamp: instant, token: ct);

        // Marten finds nothing at a version past the end; say so rather than deny the contract exists.
        var latest = wanted is not null && (contract is null || contract.Version < wanted)
            ? await session.LoadAsync<Contract>(key, ct)
            : null;
        if (latest is not null && latest.IsReachableBy(Caller.From(user)))
        {
            return Results.Problem(Problems.NotFound($"Contract '{contractId}' has no version {wanted}; its latest is {latest.Version}."));
        }

        if (contract is null || !contract.IsReachableBy(Caller.From(user)))
        {
            return Results.Problem(Problems.NotFound(instant is null
                ? $"There is no contract '{contractId}'."
                : $"There was no contract '{contractId}' at {instant:O}."));
        }

        var on = instant is { } i ? Berlin.DateOf(i) : Berlin.Today(clock);
        return Results.Ok(ContractView.From(contract, on));
    }

    /// <summary>The contracts the caller can see, by id, a page of at most <see cref="Limits.MaxPage"/> at a time.</summary>
    [WolverineGet("/api/contracts")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<IReadOnlyList<ContractView>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> List(
        string? limit, string? offset, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (skip, take) = Rules.ParsePage(limit, offset, Limits.MaxPage, errors);
        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var municipality = Caller.From(user).Municipality;
        var query = session.Query<Contract>().AsQueryable();
        if (municipality is not null)
        {
            query = query.Where(c => c.Provider.Id == municipality || c.Client.Id == municipality);
        }

        var contracts = await query.OrderBy(c => c.ContractId).Skip(skip).Take(take).ToListAsync(ct);
        var today = Berlin.Today(clock);
        return Results.Ok(contracts.Select(c => ContractView.From(c, today)).ToList());
    }
}
