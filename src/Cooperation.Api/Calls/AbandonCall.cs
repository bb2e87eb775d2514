using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

public sealed record AbandonCall(DateTimeOffset? AbandonedAt)
{
    public sealed class Validator : AbstractValidator<AbandonCall>
    {
        public Validator() => RuleFor(x => x.AbandonedAt).NotNull();
    }
}

public static class AbandonCallEndpoint
{
    public static Task<CallContext> LoadAsync(string callId, IDocumentSession session, CancellationToken ct) =>
        CallAccess.LoadAsync(session, callId, null, ct);

    public static ProblemDetails Validate(AbandonCall command, CallContext context, string callId, ClaimsPrincipal user, TimeProvider clock) =>
        CallAccess.MustReach(context, callId, user)
            .Then(() => Decide(context.Call!, command, clock))
            .Then(() => CallAccess.MustBeOpen(context, context.Call!.AbandonedAt == command.AbandonedAt));

    internal static ProblemDetails Decide(Call call, AbandonCall command, TimeProvider clock)
    {
        if (call.AnsweredAt is { } answered)
        {
            return Problems.Conflict("abandonedAt", $"Call '{call.CallId}' was answered at {answered:O}: a call is answered or abandoned, never both.");
        }

        if (call.AbandonedAt is { } abandoned)
        {
            return abandoned == command.AbandonedAt
                ? Problems.None
                : Problems.Conflict(new Dictionary<string, string[]>
                {
                    ["abandonedAt"] = [$"Call '{call.CallId}' was recorded as abandoned at {abandoned:O}."],
                });
        }

        return BusinessTime.Follows("abandonedAt", command.AbandonedAt!.Value, "offeredAt", call.OfferedAt, clock);
    }

    [WolverinePost("/api/calls/{callId}/abandoned")]
    [Authorize(Roles = Roles.ServiceCentre)]
    public static IResult Post(AbandonCall command, CallContext context)
    {
        var call = context.Call!;
        if (call.AbandonedAt == command.AbandonedAt)
        {
            return CallAccess.Ok(call);
        }

        var abandoned = new CallAbandoned(call.CallId, command.AbandonedAt!.Value);
        context.Stream.AppendOne(abandoned);
        return CallAccess.Ok(call.Then(abandoned));
    }
}
