using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
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
    public static async Task<IResult> Post(string referralId, AcceptReferral command, HttpContext http, ReferralWrites referrals, CancellationToken ct) =>
        ReferralAccess.Answer(await referrals.RunAsync(http, referralId, s => ReferralDecider.Accept(command, s), ct));
}
