using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Referrals;

public sealed record AcceptReferral(DateTimeOffset? AcceptedAt)
{
    public sealed class Validator : AbstractValidator<AcceptReferral>
    {
        public Validator() => RuleFor(x => x.AcceptedAt).NotNull();
    }
}

public static class AcceptReferralEndpoint
{
    [WolverinePost("/api/referrals/{referralId}/accepted")]
    [Authorize(Roles = Roles.Department)]
    [ProducesResponseType<ReferralView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string referralId, AcceptReferral command, HttpContext http, ReferralWrites referrals, CancellationToken ct) =>
        ReferralAccess.Answer(await referrals.RunAsync(http, referralId, s => ReferralDecider.Accept(command, s), ct));
}
