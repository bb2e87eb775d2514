using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>Stop serving a service line; <c>EndsOn</c> is the last day it is served.</summary>
public sealed record RemoveServiceLine(DateOnly? EndsOn)
{
    public sealed class Validator : AbstractValidator<RemoveServiceLine>
    {
        public Validator() => RuleFor(x => x.EndsOn).NotNull().PlausibleDate();
    }
}

public static class RemoveServiceLineEndpoint
{
    public static Task<IEventStream<Contract>> LoadAsync(string contractId, IDocumentSession session, CancellationToken ct) =>
        ContractAccess.FetchForWriting(session, contractId, ct);

    public static ProblemDetails Validate(RemoveServiceLine command, IEventStream<Contract> stream, string contractId, string code, ClaimsPrincipal user)
    {
        var reachable = ContractAccess.MustReach(stream.Aggregate, contractId, user);
        if (!reachable.IsNone())
        {
            return reachable;
        }

        var contract = stream.Aggregate!;
        var line = contract.ServiceLines.LastOrDefault(l => l.Code == code);
        if (line is null)
        {
            return Problems.NotFound($"Contract '{contractId}' has no service line '{code}'.");
        }

        if (line.EndsOn is { } ended)
        {
            return ended == command.EndsOn
                ? Problems.None
                : Problems.Conflict("endsOn", $"Service line '{code}' was already removed: it was served until {ended:yyyy-MM-dd}.");
        }

        if (command.EndsOn < line.From)
        {
            return Problems.Conflict("endsOn", $"'endsOn' ({command.EndsOn:yyyy-MM-dd}) may not precede the day service line '{code}' started ({line.From:yyyy-MM-dd}).");
        }

        return ContractAccess.MustFallWithinTerm(contract, "endsOn", command.EndsOn!.Value)
            .Then(() => ContractAccess.MustNotReachIntoClosedQuarter(contract, "endsOn", command.EndsOn!.Value.AddDays(1)));
    }

    [WolverinePost("/api/contracts/{contractId}/service-lines/{code}/removal")]
    [Authorize(Roles = Roles.ContractAdmin)]
    public static IResult Post(RemoveServiceLine command, string code, IEventStream<Contract> stream, TimeProvider clock)
    {
        var contract = stream.Aggregate!;
        if (contract.ActiveLine(code) is null)
        {
            return ContractAccess.Changed(contract, clock); // a retry of the same removal
        }

        var removed = new ServiceLineRemoved(contract.ContractId, code, command.EndsOn!.Value, clock.GetUtcNow());
        return ContractAccess.Append(stream, removed, contract.Apply(removed), clock);
    }
}
