using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Referrals;

/// <summary>The citizen got the answer. Acceptance first is usual but not required.</summary>
public sealed record AnswerReferral(DateTimeOffset? AnsweredAt)
{
    public sealed class Validator : AbstractValidator<AnswerReferral>
    {
        public Validator() => RuleFor(x => x.AnsweredAt).NotNull();
    }
}

public static class AnswerReferralEndpoint
{
    [WolverinePost("/api/referrals/{referralId}/answered")]
    [Authorize(Roles = Roles.Department)]
    [ProducesResponseType<ReferralView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string referralId, AnswerReferral command, HttpContext http, ReferralWrites referrals, CancellationToken ct) =>
        ReferralAccess.Answer(await referrals.RunAsync(http, referralId, s => ReferralDecider.Answer(command, s), ct));
}
