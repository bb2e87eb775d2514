using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
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
    public static Task<ReferralContext> LoadAsync(string referralId, IDocumentSession session, CancellationToken ct) =>
        ReferralAccess.LoadAsync(session, referralId, ct);

    public static ProblemDetails Validate(AnswerReferral command, ReferralContext context, string referralId, ClaimsPrincipal user, TimeProvider clock) =>
        ReferralAccess.MustWork(context, referralId, user).Then(() => Decide(context.Referral!, command, clock));

    private static ProblemDetails Decide(Referral referral, AnswerReferral command, TimeProvider clock) =>
        ReferralAccess.Decide(referral, ReferralStatus.Answered, "answeredAt", command.AnsweredAt!.Value, referral.AnsweredAt == command.AnsweredAt,
            () => new() { ["answeredAt"] = [$"Referral '{referral.ReferralId}' was recorded as answered at {referral.AnsweredAt:O}."] },
            clock);

    [WolverinePost("/api/referrals/{referralId}/answered")]
    [Authorize(Roles = Roles.Department)]
    public static IResult Post(AnswerReferral command, ReferralContext context)
    {
        var referral = context.Referral!;
        return referral.AnsweredAt == command.AnsweredAt
            ? ReferralAccess.Ok(referral)
            : ReferralAccess.Append(context, new ReferralAnswered(referral.ReferralId, command.AnsweredAt!.Value));
    }
}
