using System.Globalization;
using System.Security.Claims;
using Cooperation.Api.Billing;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Contracts;

/// <summary>Reading a contract: for the reads of every feature, and for the decisions on its own commands.</summary>
public static class ContractAccess
{
    /// <summary>The 404 of <see cref="ContractDecider.MustReach"/>, for the reads of other features.</summary>
    public static ProblemDetails MustReach(Contract? contract, string contractId, ClaimsPrincipal user) =>
        ContractDecider.MustReach(contract, contractId, Caller.From(user));

    /// <summary>
    /// The contract now, or as it was at <paramref name="at"/> (only events recorded by then), for a reader the
    /// contract must reach; otherwise the 404 that says which.
    /// </summary>
    public static async Task<(Contract? Contract, ProblemDetails Problem)> ReadAsync(
        IQuerySession session, string contractId, DateTimeOffset? at, ClaimsPrincipal user, CancellationToken ct)
    {
        var key = StreamKeys.Contract(contractId);
        var contract = at is not null
            ? await session.Events.AggregateStreamAsync<Contract>(key, timestamp: at, token: ct)
            : await session.LoadAsync<Contract>(key, ct);
        return contract is not null && contract.IsReachableBy(Caller.From(user))
            ? (contract, Problems.None)
            : (null, Problems.NotFound(at is null
                ? $"There is no contract '{contractId}'."
                : $"There was no contract '{contractId}' at {at:O}."));
    }

    /// <summary>409 for a period (a quarter, a year) that the contract's term does not touch.</summary>
    public static ProblemDetails OutsideTerm(Contract contract, string field, string period) =>
        Problems.Conflict(field, string.Create(CultureInfo.InvariantCulture,
            $"The contract covers {contract.StartsOn:yyyy-MM-dd} to {(contract.EndsOn is { } end ? end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "open end")}; {period} lies outside its term."));

    /// <summary>
    /// What a change of an existing contract is decided on: the contract, fetched for writing (the save checks it
    /// is still at the version read), who asks and the time.
    /// </summary>
    public static async Task<ContractSituation> ReadForChangeAsync(
        WriteSession write, string contractId, HttpContext http, TimeProvider clock, CancellationToken ct) =>
        new(contractId, await write.FetchAsync<Contract>(StreamKeys.Contract(contractId), ct), Caller.From(http.User), clock.GetUtcNow());

    /// <summary>The write step of a change of an existing contract: reads it, lets <paramref name="decide"/> decide, stores.</summary>
    public static Task<Written<ContractSituation>> ChangeAsync(
        this WriteStep step, HttpContext http, string contractId, TimeProvider clock, Func<ContractSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, (write, token) => ReadForChangeAsync(write, contractId, http, clock, token), decide, ct);

    /// <summary>
    /// What a signing is decided on: besides the stream (empty, unless the id is taken), its first event if it
    /// exists; otherwise, under the provider's billing lock held to the save's commit (so that two signings with
    /// different prefixes cannot both pass), a contract of the provider numbering with another prefix.
    /// </summary>
    public static async Task<ContractSituation> ReadForSigningAsync(
        WriteSession write, SignContract command, string contractId, HttpContext http, TimeProvider clock, BillingLock billingLock, CancellationToken ct)
    {
        var s = await ReadForChangeAsync(write, contractId, http, clock, ct);
        var session = write.Session;
        if (s.Contract is not null)
        {
            var first = await session.Events.FetchStreamAsync(s.Key, version: 1, token: ct);
            return s with { Signed = first.Count > 0 ? first[0].Data as ContractSigned : null };
        }

        if (!ContractDecider.MustActForAParty(command, s.Caller).IsNone())
        {
            return s; // refused without the lock
        }

        var provider = command.Provider!;
        await billingLock.AcquireAsync(session, provider.Id!, ct);
        return s with
        {
            OtherPrefix = await session.Query<Contract>()
                .Where(c => c.Provider.Id == provider.Id && c.Provider.InvoicePrefix != provider.InvoicePrefix)
                .FirstOrDefaultAsync(ct),
        };
    }

    /// <summary>
    /// The answer to a contract's command: the problem, or the contract as it stands after the decision (201 with
    /// its location when <paramref name="createdOnChange"/> and the decision started it).
    /// </summary>
    public static IResult Answer(Written<ContractSituation> written, bool createdOnChange = false)
    {
        var (situation, decision) = written;
        if (decision.Problem is { } problem)
        {
            return Results.Problem(problem);
        }

        var contract = decision.After(situation.Contract, situation.Key)!;
        var view = ContractView.From(contract, Berlin.DateOf(situation.Now));
        return createdOnChange && !decision.IsRepeat
            ? Results.Created($"/api/contracts/{contract.ContractId}", view)
            : Results.Ok(view);
    }
}
