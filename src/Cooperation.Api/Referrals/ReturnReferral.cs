using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Referrals;

/// <summary>The department hands the referral back to the service centre, saying why.</summary>
public sealed record ReturnReferral(DateTimeOffset? ReturnedAt, string? Reason)
{
    public sealed class Validator : AbstractValidator<ReturnReferral>
    {
        public Validator()
        {
            RuleFor(x => x.ReturnedAt).NotNull();
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(500);
        }
    }
}

public static class ReturnReferralEndpoint
{
    [WolverinePost("/api/referrals/{referralId}/returned")]
    [Authorize(Roles = Roles.Department)]
    [ProducesResponseType<ReferralView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string referralId, ReturnReferral command, HttpContext http, ReferralWrites referrals, CancellationToken ct) =>
        ReferralAccess.Answer(await referrals.RunAsync(http, referralId, s => ReferralDecider.Return(command, s), ct));
}
