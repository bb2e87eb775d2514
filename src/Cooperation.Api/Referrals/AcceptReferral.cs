using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
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
    public static Task<ReferralContext> LoadAsync(string referralId, IDocumentSession session, CancellationToken ct) =>
        ReferralAccess.LoadAsync(session, referralId, ct);

    public static ProblemDetails Validate(AcceptReferral command, ReferralContext context, string referralId, ClaimsPrincipal user, TimeProvider clock) =>
        ReferralAccess.MustWork(context, referralId, user).Then(() => Decide(context.Referral!, command, clock));

    private static ProblemDetails Decide(Referral referral, AcceptReferral command, TimeProvider clock) =>
        referral.IsClosed && referral.AcceptedAt == command.AcceptedAt
            ? Problems.None // accepted, then answered or returned: a late retry of the acceptance
            : ReferralAccess.Decide(referral, ReferralStatus.Accepted, "acceptedAt", command.AcceptedAt!.Value, IsRepeat(referral, command),
                () => new() { ["acceptedAt"] = [$"Referral '{referral.ReferralId}' was recorded as accepted at {referral.AcceptedAt:O}."] },
                clock);

    [WolverinePost("/api/referrals/{referralId}/accepted")]
    [Authorize(Roles = Roles.Department)]
    public static IResult Post(AcceptReferral command, ReferralContext context)
    {
        var referral = context.Referral!;
        return referral.AcceptedAt == command.AcceptedAt
            ? ReferralAccess.Ok(referral)
            : ReferralAccess.Append(context, new ReferralAccepted(referral.ReferralId, command.AcceptedAt!.Value));
    }

    private static bool IsRepeat(Referral referral, AcceptReferral command) => referral.AcceptedAt == command.AcceptedAt;
}
