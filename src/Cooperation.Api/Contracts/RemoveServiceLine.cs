using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/contracts/{contractId}/service-lines/{code}/removal")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        string contractId, string code, RemoveServiceLine command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeAsync(http, contractId, clock, s => ContractDecider.RemoveServiceLine(command, code, s), ct));
}
