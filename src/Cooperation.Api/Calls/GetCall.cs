using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

public static class GetCallEndpoint
{
    /// <summary>The call now (corrections applied), or as it was at a version or at an instant (only events recorded by then).</summary>
    [WolverineGet("/api/calls/{callId}")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<CallView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Get(string callId, string? asOf, string? version, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var malformed = TimeTravel.Parse(asOf, version, out var travel);
        if (!malformed.IsNone())
        {
            return Results.Problem(malformed);
        }

        var call = CallIds.IsValid(callId)
            ? await session.Events.AggregateStreamAsync<Call>(StreamKeys.Call(callId), version: travel.Version ?? 0, timestamp: travel.AsOf, token: ct)
            : null;
        var contract = call is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(call.ContractId), ct);

        // Marten finds nothing at a version past the end: like an unknown call, that is a 404.
        return contract is not null && contract.IsReachableBy(Caller.From(user)) && (travel.Version is null || call!.Version == travel.Version)
            ? CallAccess.Ok(call!)
            : Results.Problem(Problems.NotFound(travel.IsNow
                ? $"There is no call '{callId}'."
                : travel.AsOf is { } at ? $"There was no call '{callId}' at {at:O}."
                : $"Call '{callId}' has no version {travel.Version}."));
    }
}
