using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using JasperFx.Events;
using Marten;
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
    public static Task<IEventStream<Contract>> LoadAsync(string contractId, IDocumentSession session, CancellationToken ct) =>
        ContractAccess.FetchForWriting(session, contractId, ct);

    public static ProblemDetails Validate(AmendFee command, IEventStream<Contract> stream, string contractId, ClaimsPrincipal user) =>
        ContractAccess.MustReach(stream.Aggregate, contractId, user)
            .Then(() => ContractAccess.MustFallWithinTerm(stream.Aggregate!, "effectiveFrom", command.EffectiveFrom!.Value));

    [WolverinePost("/api/contracts/{contractId}/fee-amendments")]
    [Authorize(Roles = Roles.ContractAdmin)]
    public static IResult Post(AmendFee command, IEventStream<Contract> stream, TimeProvider clock)
    {
        var contract = stream.Aggregate!;
        var period = new FeePeriod(command.EffectiveFrom!.Value, command.AnnualFee!.Value);
        if (contract.Fees.Contains(period))
        {
            return ContractAccess.Changed(contract, clock); // already recorded: a retry
        }

        var amended = new FeeAmended(contract.ContractId, period.AnnualFee, period.EffectiveFrom, clock.GetUtcNow());
        return ContractAccess.Append(stream, amended, contract.Apply(amended), clock);
    }
}
