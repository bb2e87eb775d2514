using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
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
    public static async Task<IResult> Post(string referralId, AnswerReferral command, HttpContext http, ReferralWrites referrals, CancellationToken ct) =>
        ReferralAccess.Answer(await referrals.RunAsync(http, referralId, s => ReferralDecider.Answer(command, s), ct));
}
