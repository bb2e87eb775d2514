using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

/// <summary>
/// Corrects recorded values of a call after the fact, with a reason. The original events stay in the stream;
/// reports use the corrected values. A correction changes what was recorded; it does not add a step the
/// call never had (an answer to an abandoned call, a completion to an open one).
/// </summary>
public sealed record CorrectCall(
    string? Reason, DateTimeOffset? AnsweredAt, DateTimeOffset? AbandonedAt, DateTimeOffset? CompletedAt, CallOutcome? Outcome, string? Department)
{
    public bool ChangesNothingIn(Call call) =>
        (AnsweredAt is null || AnsweredAt == call.AnsweredAt) &&
        (AbandonedAt is null || AbandonedAt == call.AbandonedAt) &&
        (CompletedAt is null || CompletedAt == call.CompletedAt) &&
        (Outcome is null || Outcome == call.Outcome) &&
        (Department is null || Department == call.Department);

    public sealed class Validator : AbstractValidator<CorrectCall>
    {
        public Validator()
        {
            RuleFor(x => x.Reason).NotEmpty().MaximumLength(500);
            RuleFor(x => x).Must(x => x.AnsweredAt is not null || x.AbandonedAt is not null || x.CompletedAt is not null || x.Outcome is not null || x.Department is not null)
                .OverridePropertyName("$")
                .WithMessage("A correction names at least one of 'answeredAt', 'abandonedAt', 'completedAt', 'outcome', 'department'.");
            RuleFor(x => x.Department).KebabCaseId();
        }
    }
}

public static class CorrectCallEndpoint
{
    [WolverinePost("/api/calls/{callId}/corrections")]
    [Authorize(Roles = Roles.ServiceCentre)]
    [ProducesResponseType<CallView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<CallView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(string callId, CorrectCall command, HttpContext http, CallWrites calls, CancellationToken ct) =>
        CallAccess.Answer(await calls.RunAsync(http, callId, null, new CallReads
            {
                Referral = ReferralAccess.IdFor(callId),
                Appointments = command.Outcome is not null,
                CallsReferral = true,
            }, s => CallDecider.Correct(command, s), ct), createdOnChange: true);
}
