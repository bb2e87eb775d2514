using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

public sealed record AnswerCall(DateTimeOffset? AnsweredAt, string? AgentId)
{
    public sealed class Validator : AbstractValidator<AnswerCall>
    {
        public Validator()
        {
            RuleFor(x => x.AnsweredAt).NotNull();
            RuleFor(x => x.AgentId).NotEmpty().MaximumLength(100);
        }
    }
}

public static class AnswerCallEndpoint
{
    public static Task<CallContext> LoadAsync(string callId, IDocumentSession session, CancellationToken ct) =>
        CallAccess.LoadAsync(session, callId, null, ct);

    public static ProblemDetails Validate(AnswerCall command, CallContext context, string callId, ClaimsPrincipal user, TimeProvider clock) =>
        CallAccess.MustReach(context, callId, user)
            .Then(() => Decide(context.Call!, command, clock))
            .Then(() => CallAccess.MustBeOpen(context, IsRepeat(context.Call!, command)));

    internal static ProblemDetails Decide(Call call, AnswerCall command, TimeProvider clock)
    {
        if (call.AbandonedAt is { } abandoned)
        {
            return Problems.Conflict("answeredAt", $"Call '{call.CallId}' was abandoned at {abandoned:O}: a call is answered or abandoned, never both.");
        }

        if (call.AnsweredAt is { } answered)
        {
            return IsRepeat(call, command)
                ? Problems.None
                : Problems.Conflict(new Dictionary<string, string[]>
                {
                    [answered == command.AnsweredAt ? "agentId" : "answeredAt"] =
                        [$"Call '{call.CallId}' was recorded as answered at {answered:O} by '{call.AgentId}'."],
                });
        }

        return BusinessTime.Follows("answeredAt", command.AnsweredAt!.Value, "offeredAt", call.OfferedAt, clock);
    }

    [WolverinePost("/api/calls/{callId}/answered")]
    [Authorize(Roles = Roles.ServiceCentre)]
    public static IResult Post(AnswerCall command, CallContext context)
    {
        var call = context.Call!;
        if (IsRepeat(call, command))
        {
            return CallAccess.Ok(call);
        }

        var answered = new CallAnswered(call.CallId, command.AnsweredAt!.Value, command.AgentId!);
        context.Stream.AppendOne(answered);
        return CallAccess.Ok(call.Then(answered));
    }

    internal static bool IsRepeat(Call call, AnswerCall command) =>
        call.AnsweredAt == command.AnsweredAt && call.AgentId == command.AgentId;
}
