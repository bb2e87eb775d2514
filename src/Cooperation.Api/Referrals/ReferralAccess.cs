using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Referrals;

/// <summary>The write step of a department's steps: reads the referral and its contract, lets <see cref="ReferralDecider"/> decide, stores.</summary>
public sealed class ReferralWrites(WriteStep step, ContractCache contracts, TimeProvider clock)
{
    public Task<Written<ReferralSituation>> RunAsync(HttpContext http, string referralId, Func<ReferralSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, async (write, token) =>
        {
            var referral = await write.FetchAsync<Referral>(StreamKeys.Referral(referralId), token);
            var contract = referral is null ? null : await contracts.GetAsync(write, referral.ContractId, token);
            return new ReferralSituation(referralId, referral, contract, Caller.From(http.User), clock.GetUtcNow());
        }, decide, ct);
}

public static class ReferralAccess
{
    public const string IdRule = "'referralId' must be 1–110 letters, digits or '.', '_', ':', '-'.";

    public const int MaxIdLength = 110;

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    /// <summary>The referral a call opens when no id is given: derived from the call, so a retry opens no second one.</summary>
    public static string IdFor(string callId) => "ref-" + callId;

    /// <summary>The answer to a department's step: the problem, or the referral as it stands after the decision.</summary>
    public static IResult Answer(Written<ReferralSituation> written) =>
        written.Decision.Answer(written.Input.Referral, StreamKeys.Referral(written.Input.ReferralId), ReferralView.From);

    public static IResult Ok(Referral referral) => Results.Ok(ReferralView.From(referral));
}
