using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/calls/{callId}/answered")]
    [Authorize(Roles = Roles.ServiceCentre)]
    [ProducesResponseType<CallView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string callId, AnswerCall command, HttpContext http, CallWrites calls, CancellationToken ct) =>
        CallAccess.Answer(await calls.RunAsync(http, callId, null, CallReads.Call, s => CallDecider.Answer(command, s), ct));
}
