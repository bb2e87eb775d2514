using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Calls;

/// <summary>A call's stream, loaded for a change, with the contract it belongs to.</summary>
public sealed record CallContext(IEventStream<Call> Stream, Contract? Contract)
{
    public Call? Call => Stream.Aggregate;
}

public static class CallAccess
{
    public static async Task<CallContext> LoadAsync(IDocumentSession session, string callId, string? contractId, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Call>(StreamKeys.Call(callId), ct);
        var id = stream.Aggregate?.ContractId ?? contractId;
        var contract = id is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(id), ct);
        return new CallContext(stream, contract);
    }

    /// <summary>404 for a call that does not exist or belongs to a contract out of the caller's reach.</summary>
    public static ProblemDetails MustReach(CallContext context, string callId, ClaimsPrincipal user) =>
        context.Call is not null && context.Contract is not null && context.Contract.IsReachableBy(Caller.From(user))
            ? Problems.None
            : Problems.NotFound($"There is no call '{callId}'.");

    /// <summary>
    /// 409 for a change to a call offered in an invoiced quarter (domain §6): the quarter's figures stay as billed.
    /// A repeat of what is recorded is still answered as the retry it is.
    /// </summary>
    public static ProblemDetails MustBeOpen(CallContext context, bool repeat) =>
        repeat ? Problems.None : MustBeOpen(context.Contract!, context.Call!);

    public static ProblemDetails MustBeOpen(Contract contract, Call call) =>
        contract.ClosingOf(Quarter.Of(call.OfferedAt)) is { } closed
            ? Problems.Conflict("callId",
                $"Call '{call.CallId}' was offered in {closed.Period}, which is invoiced ({closed.InvoiceNumber}): its record is closed. Cancel the invoice with a credit note to reopen the quarter.")
            : Problems.None;

    public static IResult Ok(Call call) => Results.Ok(CallView.From(call));
}
