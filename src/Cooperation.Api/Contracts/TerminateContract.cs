using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/contracts/{contractId}/termination")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        string contractId, TerminateContract command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeAsync(http, contractId, clock, s => ContractDecider.Terminate(command, s), ct));
}
