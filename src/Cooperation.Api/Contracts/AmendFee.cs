using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>A new annual fee from a date on; earlier days keep the fee they had.</summary>
public sealed record AmendFee(decimal? AnnualFee, DateOnly? EffectiveFrom)
{
    public sealed class Validator : AbstractValidator<AmendFee>
    {
        public Validator()
        {
            RuleFor(x => x.AnnualFee).PositiveMoney().LessThan(1_000_000_000m);
            RuleFor(x => x.EffectiveFrom).NotNull().PlausibleDate();
        }
    }
}

public static class AmendFeeEndpoint
{
    [WolverinePost("/api/contracts/{contractId}/fee-amendments")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        string contractId, AmendFee command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeAsync(http, contractId, clock, s => ContractDecider.AmendFee(command, s), ct));
}
