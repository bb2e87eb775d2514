using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

public static class GetCallEndpoint
{
    [WolverineGet("/api/calls/{callId}")]
    [Authorize(Roles = Roles.Any)]
    public static async Task<IResult> Get(string callId, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var call = CallIds.IsValid(callId) ? await session.Events.AggregateStreamAsync<Call>(StreamKeys.Call(callId), token: ct) : null;
        var contract = call is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(call.ContractId), ct);
        return contract is not null && contract.IsReachableBy(Caller.From(user))
            ? CallAccess.Ok(call!)
            : Results.Problem(Problems.NotFound($"There is no call '{callId}'."));
    }
}
