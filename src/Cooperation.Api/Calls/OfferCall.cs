using Cooperation.Api.Infrastructure;
using FluentValidation;
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
            RuleFor(x => x.CallId).NotEmpty().Must(CallIds.IsValid).WithMessage(CallIds.Rule).MaximumLength(CallIds.MaxLength);
            RuleFor(x => x.ContractId).NotEmpty().KebabCaseId();
            RuleFor(x => x.ServiceLine).NotEmpty().KebabCaseId();
            RuleFor(x => x.OfferedAt).NotNull();
            RuleFor(x => x.Caller)
                .Must(c => CallerPseudonym.TryNormalize(c, out _)).When(x => x.Caller is not null)
                .WithMessage("'caller' must be a valid phone number (E.164, or German national format).")
                .MaximumLength(CallerPseudonym.MaxInputLength);
        }
    }
}

public static class CallIds
{
    public const string Rule = "'callId' must be 1–100 letters, digits or '.', '_', ':', '-'.";

    public const int MaxLength = 100;

    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');
}

public static class OfferCallEndpoint
{
    [WolverinePost("/api/calls")]
    [Authorize(Roles = Roles.ServiceCentre)]
    [ProducesResponseType<CallView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<CallView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(OfferCall command, HttpContext http, CallWrites calls, CallerPseudonym pseudonym, CancellationToken ct)
    {
        var callerHash = HashOf(command, pseudonym);
        return CallAccess.Answer(
            await calls.RunAsync(http, command.CallId!, command.ContractId, CallReads.Offer, s => CallDecider.Offer(command, callerHash, s), ct),
            createdOnChange: true);
    }

    internal static string? HashOf(OfferCall command, CallerPseudonym pseudonym) =>
        CallerPseudonym.TryNormalize(command.Caller, out var e164) ? pseudonym.Hash(e164) : null;
}
