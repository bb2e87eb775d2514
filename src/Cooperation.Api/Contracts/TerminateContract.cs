using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>End the contract; <c>EndsOn</c> is the last day it covers.</summary>
public sealed record TerminateContract(DateOnly? EndsOn)
{
    public sealed class Validator : AbstractValidator<TerminateContract>
    {
        public Validator() => RuleFor(x => x.EndsOn).NotNull().PlausibleDate();
    }
}

public static class TerminateContractEndpoint
{
    public static Task<IEventStream<Contract>> LoadAsync(string contractId, IDocumentSession session, CancellationToken ct) =>
        ContractAccess.FetchForWriting(session, contractId, ct);

    public static ProblemDetails Validate(TerminateContract command, IEventStream<Contract> stream, string contractId, ClaimsPrincipal user)
    {
        var reachable = ContractAccess.MustReach(stream.Aggregate, contractId, user);
        if (!reachable.IsNone())
        {
            return reachable;
        }

        var contract = stream.Aggregate!;
        if (contract.Status == ContractStatus.Terminated)
        {
            return contract.EndsOn == command.EndsOn
                ? Problems.None
                : Problems.Conflict("endsOn", $"The contract is already terminated: it ends on {contract.EndsOn:yyyy-MM-dd}.");
        }

        // A termination can shorten a fixed term, not extend it; it is checked against the term like any dated change.
        return ContractAccess.MustFallWithinTerm(contract, "endsOn", command.EndsOn!.Value)
            .Then(() => ContractAccess.MustNotReachIntoClosedQuarter(contract, "endsOn", command.EndsOn!.Value.AddDays(1)));
    }

    [WolverinePost("/api/contracts/{contractId}/termination")]
    [Authorize(Roles = Roles.ContractAdmin)]
    public static IResult Post(TerminateContract command, IEventStream<Contract> stream, TimeProvider clock)
    {
        var contract = stream.Aggregate!;
        if (contract.Status == ContractStatus.Terminated)
        {
            return ContractAccess.Changed(contract, clock); // a retry of the same termination
        }

        var terminated = new ContractTerminated(contract.ContractId, command.EndsOn!.Value, clock.GetUtcNow());
        return ContractAccess.Append(stream, terminated, contract.Apply(terminated), clock);
    }
}
