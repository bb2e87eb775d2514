using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

/// <summary>The telephony system reports a call offered to the centre on a contract's service line.</summary>
public sealed record OfferCall(string? CallId, string? ContractId, string? ServiceLine, DateTimeOffset? OfferedAt, string? Caller)
{
    public sealed class Validator : AbstractValidator<OfferCall>
    {
        public Validator()
        {
            RuleFor(x => x.CallId).NotEmpty().Must(CallIds.IsValid).WithMessage(CallIds.Rule);
            RuleFor(x => x.ContractId).NotEmpty().KebabCaseId();
            RuleFor(x => x.ServiceLine).NotEmpty().KebabCaseId();
            RuleFor(x => x.OfferedAt).NotNull();
            RuleFor(x => x.Caller)
                .Must(c => CallerPseudonym.TryNormalize(c, out _)).When(x => x.Caller is not null)
                .WithMessage("'caller' must be a valid phone number (E.164, or German national format).");
        }
    }
}

public static class CallIds
{
    public const string Rule = "'callId' must be 1–100 letters, digits or '.', '_', ':', '-'.";

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= 100 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');
}

public static class OfferCallEndpoint
{
    public static Task<CallContext> LoadAsync(OfferCall command, IDocumentSession session, CancellationToken ct) =>
        CallAccess.LoadAsync(session, command.CallId!, command.ContractId, ct);

    public static ProblemDetails Validate(OfferCall command, CallContext context, ClaimsPrincipal user, TimeProvider clock, CallerPseudonym pseudonym) =>
        Decide(command, context.Call, context.Contract, Caller.From(user), clock, pseudonym);

    /// <summary>A new call must fit its contract; a recorded one must be repeated exactly.</summary>
    internal static ProblemDetails Decide(OfferCall command, Call? recorded, Contract? contract, Caller caller, TimeProvider clock, CallerPseudonym pseudonym)
    {
        if (contract is null || !contract.IsReachableBy(caller))
        {
            return Problems.NotFound("contractId", $"There is no contract '{command.ContractId}'.");
        }

        if (recorded is not null)
        {
            return Differences(recorded, command, pseudonym) is { Count: > 0 } differences
                ? Problems.Conflict(differences)
                : Problems.None; // a retry: answered in Post
        }

        var offeredAt = command.OfferedAt!.Value;
        var day = Berlin.DateOf(offeredAt);
        return BusinessTime.NotInTheFuture("offeredAt", offeredAt, clock)
            .Then(() => contract.Covers(day)
                ? Problems.None
                : Problems.Conflict("offeredAt", contract.Status == ContractStatus.Terminated && day > contract.EndsOn
                    ? $"Contract '{contract.ContractId}' was terminated and ended on {contract.EndsOn:yyyy-MM-dd}; it takes no calls after its end."
                    : $"Contract '{contract.ContractId}' does not cover {day:yyyy-MM-dd}."))
            .Then(() => contract.LineOn(command.ServiceLine!, day) is not null
                ? Problems.None
                : Problems.NotFound("serviceLine", $"Contract '{contract.ContractId}' has no service line '{command.ServiceLine}' on {day:yyyy-MM-dd}."))
            .Then(() => contract.ClosingOf(Quarter.Of(offeredAt)) is { } closed
                ? Problems.Conflict("offeredAt",
                    $"{closed.Period} of contract '{contract.ContractId}' is invoiced ({closed.InvoiceNumber}): no call is recorded into it any more. Cancel the invoice with a credit note to reopen the quarter.")
                : Problems.None);
    }

    [WolverinePost("/api/calls")]
    [Authorize(Roles = Roles.ServiceCentre)]
    public static IResult Post(OfferCall command, CallContext context, CallerPseudonym pseudonym)
    {
        if (context.Call is { } recorded)
        {
            return CallAccess.Ok(recorded); // identical retry: nothing new to store
        }

        var offered = new CallOffered(command.CallId!, command.ContractId!, command.ServiceLine!, command.OfferedAt!.Value, HashOf(command, pseudonym));
        context.Stream.AppendOne(offered);
        var call = Call.Create(offered) with { Version = 1 };
        return Results.Created($"/api/calls/{command.CallId}", CallView.From(call));
    }

    internal static string? HashOf(OfferCall command, CallerPseudonym pseudonym) =>
        CallerPseudonym.TryNormalize(command.Caller, out var e164) ? pseudonym.Hash(e164) : null;

    /// <summary>What a repeat of the offer says differently from what was recorded, by field.</summary>
    private static Dictionary<string, string[]> Differences(Call recorded, OfferCall command, CallerPseudonym pseudonym)
    {
        var differences = new Dictionary<string, string[]>();
        if (recorded.ContractId != command.ContractId)
        {
            differences["contractId"] = [$"Call '{recorded.CallId}' was recorded on contract '{recorded.ContractId}'."];
        }

        if (recorded.ServiceLine != command.ServiceLine)
        {
            differences["serviceLine"] = [$"Call '{recorded.CallId}' was recorded on service line '{recorded.ServiceLine}'."];
        }

        if (recorded.OfferedAt != command.OfferedAt)
        {
            differences["offeredAt"] = [$"Call '{recorded.CallId}' was recorded as offered at {recorded.OfferedAt:O}."];
        }

        if (recorded.CallerHash != HashOf(command, pseudonym))
        {
            differences["caller"] = [$"Call '{recorded.CallId}' was recorded with another caller."];
        }

        return differences;
    }
}
