using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Referrals;

/// <summary>
/// What a department's step on a referral is decided on besides the command: the referral (null when there is
/// none under the id), its contract, who asks and the time.
/// </summary>
public sealed record ReferralSituation(string ReferralId, Referral? Referral, Contract? Contract, Caller Caller, DateTimeOffset Now);

/// <summary>
/// The rules of a referral's stream, each in one place (ADR 14): a pure function of the command and the
/// situation, giving the event to store, "already recorded", or a problem. (A referral is opened, and moved to
/// another department, by its call's decisions: <see cref="Calls.CallDecider"/>.)
/// </summary>
public static class ReferralDecider
{
    public static Decision Accept(AcceptReferral command, ReferralSituation s) => OnWorkedReferral(s, referral =>
        referral.IsClosed && referral.AcceptedAt == command.AcceptedAt
            ? Decision.AlreadyRecorded // accepted, then answered or returned: a late retry of the acceptance
            : Step(referral, s.Now, ReferralStatus.Accepted, "acceptedAt", command.AcceptedAt!.Value, referral.AcceptedAt == command.AcceptedAt,
                () => new() { ["acceptedAt"] = [$"Referral '{referral.ReferralId}' was recorded as accepted at {referral.AcceptedAt:O}."] },
                new ReferralAccepted(referral.ReferralId, command.AcceptedAt.Value)));

    public static Decision Answer(AnswerReferral command, ReferralSituation s) => OnWorkedReferral(s, referral =>
        Step(referral, s.Now, ReferralStatus.Answered, "answeredAt", command.AnsweredAt!.Value, referral.AnsweredAt == command.AnsweredAt,
            () => new() { ["answeredAt"] = [$"Referral '{referral.ReferralId}' was recorded as answered at {referral.AnsweredAt:O}."] },
            new ReferralAnswered(referral.ReferralId, command.AnsweredAt.Value)));

    public static Decision Return(ReturnReferral command, ReferralSituation s) => OnWorkedReferral(s, referral =>
        Step(referral, s.Now, ReferralStatus.Returned, "returnedAt", command.ReturnedAt!.Value,
            referral.ReturnedAt == command.ReturnedAt && referral.ReturnReason == command.Reason,
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
            new ReferralReturned(referral.ReferralId, command.ReturnedAt.Value, command.Reason!)));

    /// <summary>
    /// Only the client city's departments work a referral. Others who may see it (the provider) get 403;
    /// a caller of a city that is no party gets 404, as everywhere.
    /// </summary>
    private static Decision OnWorkedReferral(ReferralSituation s, Func<Referral, Decision> decide)
    {
        if (s.Referral is not { } referral || s.Contract is not { } contract || !contract.IsReachableBy(s.Caller))
        {
            return Decision.Refuse(Problems.NotFound($"There is no referral '{s.ReferralId}'."));
        }

        return s.Caller.Municipality == contract.Client.Id
            ? decide(referral)
            : Decision.Refuse(Problems.Forbidden($"Only departments of '{contract.Client.Id}', the client city, work referral '{s.ReferralId}'."));
    }

    /// <summary>
    /// The common rule of the department's steps: a step already recorded is a retry when it agrees and a
    /// conflict when it does not; an answered or returned referral takes no more steps; times follow the last step.
    /// </summary>
    private static Decision Step(
        Referral referral,
        DateTimeOffset now,
        ReferralStatus step,
        string field,
        DateTimeOffset at,
        bool isRepeat,
        Func<Dictionary<string, string[]>> differences,
        object change)
    {
        if (referral.Status == step)
        {
            return isRepeat ? Decision.AlreadyRecorded : Decision.Refuse(Problems.Conflict(differences()));
        }

        if (referral.IsClosed)
        {
            return Decision.Refuse(Problems.Conflict(field,
                $"Referral '{referral.ReferralId}' was {referral.Status.ToString().ToLowerInvariant()} at {referral.AnsweredAt ?? referral.ReturnedAt:O}: a closed referral takes no more steps."));
        }

        return Decision.Unless(
            referral.AcceptedAt is { } accepted
                ? BusinessTime.Follows(field, at, "acceptedAt", accepted, now)
                : BusinessTime.Follows(field, at, "openedAt", referral.OpenedAt, now),
            () => Decision.Append(referral.Id, change));
    }
}
