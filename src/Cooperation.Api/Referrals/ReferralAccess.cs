using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Referrals;

/// <summary>A referral's stream, loaded for a change, with the contract it belongs to.</summary>
public sealed record ReferralContext(IEventStream<Referral> Stream, Contract? Contract)
{
    public Referral? Referral => Stream.Aggregate;
}

public static class ReferralAccess
{
    public const string IdRule = "'referralId' must be 1–110 letters, digits or '.', '_', ':', '-'.";

    public static bool IsValidId(string? id) =>
        id is { Length: > 0 and <= 110 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');

    /// <summary>The referral a call opens when no id is given: derived from the call, so a retry opens no second one.</summary>
    public static string IdFor(string callId) => "ref-" + callId;

    public static async Task<ReferralContext> LoadAsync(IDocumentSession session, string referralId, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Referral>(StreamKeys.Referral(referralId), ct);
        var contract = stream.Aggregate is { } referral
            ? await session.LoadAsync<Contract>(StreamKeys.Contract(referral.ContractId), ct)
            : null;
        return new ReferralContext(stream, contract);
    }

    /// <summary>
    /// Only the client city's departments work a referral. Others who may see it (the provider) get 403;
    /// a caller of a city that is no party gets 404, as everywhere.
    /// </summary>
    public static ProblemDetails MustWork(ReferralContext context, string referralId, ClaimsPrincipal user)
    {
        var caller = Caller.From(user);
        if (context.Referral is null || context.Contract is null || !context.Contract.IsReachableBy(caller))
        {
            return Problems.NotFound($"There is no referral '{referralId}'.");
        }

        return caller.Municipality == context.Contract.Client.Id
            ? Problems.None
            : Problems.Forbidden($"Only departments of '{context.Contract.Client.Id}', the client city, work referral '{referralId}'.");
    }

    /// <summary>
    /// The common rule of the department's steps: a step already recorded is a retry when it agrees and a
    /// conflict when it does not; an answered or returned referral takes no more steps; times follow the last step.
    /// </summary>
    public static ProblemDetails Decide(
        Referral referral, ReferralStatus step, string field, DateTimeOffset at, bool isRepeat, Func<Dictionary<string, string[]>> differences, TimeProvider clock)
    {
        if (referral.Status == step)
        {
            return isRepeat ? Problems.None : Problems.Conflict(differences());
        }

        if (referral.IsClosed)
        {
            return Problems.Conflict(field,
                $"Referral '{referral.ReferralId}' was {referral.Status.ToString().ToLowerInvariant()} at {referral.AnsweredAt ?? referral.ReturnedAt:O}: a closed referral takes no more steps.");
        }

        return referral.AcceptedAt is { } accepted
            ? BusinessTime.Follows(field, at, "acceptedAt", accepted, clock)
            : BusinessTime.Follows(field, at, "openedAt", referral.OpenedAt, clock);
    }

    /// <summary>Appends the step; Wolverine saves it (a lost race runs the request again: <see cref="LostRaces"/>).</summary>
    public static IResult Append(ReferralContext context, object change)
    {
        context.Stream.AppendOne(change);
        return Ok(context.Referral!.Then(change));
    }

    public static IResult Ok(Referral referral) => Results.Ok(ReferralView.From(referral));
}
