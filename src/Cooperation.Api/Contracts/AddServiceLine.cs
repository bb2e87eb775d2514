using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>Add a service line (a telephone line the centre answers) from a date on.</summary>
public sealed record AddServiceLine(string? Code, string? Name, DateOnly? From)
{
    public sealed class Validator : AbstractValidator<AddServiceLine>
    {
        public Validator()
        {
            RuleFor(x => x.Code).NotEmpty().KebabCaseId();
            RuleFor(x => x.Name).NotEmpty().MaximumLength(200);
            RuleFor(x => x.From).NotNull().PlausibleDate();
        }
    }
}

public static class AddServiceLineEndpoint
{
    public static Task<IEventStream<Contract>> LoadAsync(string contractId, IDocumentSession session, CancellationToken ct) =>
        ContractAccess.FetchForWriting(session, contractId, ct);

    public static ProblemDetails Validate(AddServiceLine command, IEventStream<Contract> stream, string contractId, ClaimsPrincipal user) =>
        ContractAccess.MustReach(stream.Aggregate, contractId, user)
            .Then(() => ContractAccess.MustFallWithinTerm(stream.Aggregate!, "from", command.From!.Value))
            .Then(() => MustNotClash(command, stream.Aggregate!));

    private static ProblemDetails MustNotClash(AddServiceLine command, Contract contract)
    {
        if (contract.ActiveLine(command.Code!) is { } active && !IsRepeat(command, active))
        {
            return Problems.Conflict("code", $"Service line '{command.Code}' already exists on this contract (from {active.From:yyyy-MM-dd}).");
        }

        var lastEnded = contract.ServiceLines.Where(l => l.Code == command.Code && l.EndsOn is not null).MaxBy(l => l.EndsOn);
        if (lastEnded is not null && command.From <= lastEnded.EndsOn)
        {
            return Problems.Conflict("from", $"Service line '{command.Code}' was served until {lastEnded.EndsOn:yyyy-MM-dd}; it can start again only after that.");
        }

        return Problems.None;
    }

    [WolverinePost("/api/contracts/{contractId}/service-lines")]
    [Authorize(Roles = Roles.ContractAdmin)]
    public static IResult Post(AddServiceLine command, IEventStream<Contract> stream, TimeProvider clock)
    {
        var contract = stream.Aggregate!;
        if (contract.ActiveLine(command.Code!) is { } active && IsRepeat(command, active))
        {
            return ContractAccess.Changed(contract, clock);
        }

        if (ContractAccess.MustNotReachIntoClosedQuarter(contract, "from", command.From!.Value) is var closed && !closed.IsNone())
        {
            return Results.Problem(closed);
        }

        var added = new ServiceLineAdded(contract.ContractId, command.Code!, command.Name!.Trim(), command.From!.Value, clock.GetUtcNow());
        return ContractAccess.Append(stream, added, contract.Apply(added), clock);
    }

    private static bool IsRepeat(AddServiceLine command, ServiceLine active) =>
        active.Name == command.Name!.Trim() && active.From == command.From;
}
