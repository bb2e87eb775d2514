using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Referrals;

public static class GetReferralEndpoint
{
    /// <summary>The referral now, or as it was at a version or at an instant (only events recorded by then).</summary>
    [WolverineGet("/api/referrals/{referralId}")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<ReferralView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Get(
        string referralId, string? asOf, string? version, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var malformed = TimeTravel.Parse(asOf, version, out var travel);
        if (!malformed.IsNone())
        {
            return Results.Problem(malformed);
        }

        var key = StreamKeys.Referral(referralId);
        var referral = !ReferralAccess.IsValidId(referralId) ? null
            : travel.IsNow ? await session.LoadAsync<Referral>(key, ct)
            : await session.Events.AggregateStreamAsync<Referral>(key, version: travel.Version ?? 0, timestamp: travel.AsOf, token: ct);
        var contract = referral is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(referral.ContractId), ct);

        // Marten finds nothing at a version past the end: like an unknown referral, that is a 404.
        return contract is not null && contract.IsReachableBy(Caller.From(user)) && (travel.Version is null || referral!.Version == travel.Version)
            ? ReferralAccess.Ok(referral!)
            : Results.Problem(Problems.NotFound(travel.IsNow
                ? $"There is no referral '{referralId}'."
                : travel.AsOf is { } at ? $"There was no referral '{referralId}' at {at:O}."
                : $"Referral '{referralId}' has no version {travel.Version}."));
    }

    /// <summary>
    /// A department's work queue: a contract's referrals, oldest first, optionally by status
    /// (comma-separated, e.g. <c>open,accepted</c>) and department.
    /// </summary>
    [WolverineGet("/api/referrals")]
    [Authorize(Roles = Roles.Any)]
    [ProducesResponseType<IReadOnlyList<ReferralView>>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> List(
        string? contractId, string? status, string? department, string? limit, string? offset, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        Rules.RequireContractId(contractId, "a work queue belongs to one contract", errors);

        var statuses = new List<ReferralStatus>();
        foreach (var name in (status ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<ReferralStatus>(name, ignoreCase: true, out var parsed) && Kebab(parsed) == name)
            {
                statuses.Add(parsed);
            }
            else
            {
                errors["status"] = [$"'status' must be one or more of {string.Join(", ", Enum.GetValues<ReferralStatus>().Select(Kebab))}, separated by commas."];
            }
        }

        var (skip, take) = Rules.ParsePage(limit, offset, Limits.MaxPage, errors);

        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var contract = await session.LoadAsync<Contract>(StreamKeys.Contract(contractId!), ct);
        if (contract is null || !contract.IsReachableBy(Caller.From(user)))
        {
            return Results.Problem(Problems.NotFound("contractId", $"There is no contract '{contractId}'."));
        }

        var query = session.Query<Referral>().Where(r => r.ContractId == contractId);
        if (statuses.Count > 0)
        {
            query = query.Where(r => statuses.Contains(r.Status));
        }

        if (department is not null)
        {
            query = query.Where(r => r.Department == department);
        }

        var page = await query.OrderBy(r => r.OpenedAt).ThenBy(r => r.ReferralId)
            .Skip(skip).Take(take).ToListAsync(ct);
        return Results.Ok(page.Select(ReferralView.From));
    }

    private static string Kebab(ReferralStatus status) => status.ToString().ToLowerInvariant();
}
