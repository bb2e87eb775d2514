using Cooperation.Api.Infrastructure;
using FluentValidation;
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
    [WolverinePost("/api/calls/{callId}/abandoned")]
    [Authorize(Roles = Roles.ServiceCentre)]
    [ProducesResponseType<CallView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string callId, AbandonCall command, HttpContext http, CallWrites calls, CancellationToken ct) =>
        CallAccess.Answer(await calls.RunAsync(http, callId, null, CallReads.Call, s => CallDecider.Abandon(command, s), ct));
}
