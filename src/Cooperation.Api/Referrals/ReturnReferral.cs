using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
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
    public static Task<ReferralContext> LoadAsync(string referralId, IDocumentSession session, CancellationToken ct) =>
        ReferralAccess.LoadAsync(session, referralId, ct);

    public static ProblemDetails Validate(ReturnReferral command, ReferralContext context, string referralId, ClaimsPrincipal user, TimeProvider clock) =>
        ReferralAccess.MustWork(context, referralId, user).Then(() => Decide(context.Referral!, command, clock));

    private static ProblemDetails Decide(Referral referral, ReturnReferral command, TimeProvider clock) =>
        ReferralAccess.Decide(referral, ReferralStatus.Returned, "returnedAt", command.ReturnedAt!.Value, IsRepeat(referral, command),
            () =>
            {
                var differences = new Dictionary<string, string[]>();
                if (referral.ReturnedAt != command.ReturnedAt)
                {
                    differences["returnedAt"] = [$"Referral '{referral.ReferralId}' was recorded as returned at {referral.ReturnedAt:O}."];
                }

                if (referral.ReturnReason != command.Reason)
                {
                    differences["reason"] = [$"Referral '{referral.ReferralId}' was returned with another reason."];
                }

                return differences;
            },
            clock);

    [WolverinePost("/api/referrals/{referralId}/returned")]
    [Authorize(Roles = Roles.Department)]
    public static IResult Post(ReturnReferral command, ReferralContext context)
    {
        var referral = context.Referral!;
        return IsRepeat(referral, command)
            ? ReferralAccess.Ok(referral)
            : ReferralAccess.Append(context, new ReferralReturned(referral.ReferralId, command.ReturnedAt!.Value, command.Reason!));
    }

    private static bool IsRepeat(Referral referral, ReturnReferral command) =>
        referral.Status == ReferralStatus.Returned && referral.ReturnedAt == command.ReturnedAt && referral.ReturnReason == command.Reason;
}
