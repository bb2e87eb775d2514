using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/contracts/{contractId}/service-lines")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        string contractId, AddServiceLine command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeAsync(http, contractId, clock, s => ContractDecider.AddServiceLine(command, s), ct));
}
