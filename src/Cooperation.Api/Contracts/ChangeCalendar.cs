using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>New opening hours from a date on, in either form of <see cref="OpeningHoursInput"/>; earlier days keep theirs.</summary>
public sealed record ChangeOpeningHours(DateOnly? EffectiveFrom, OpeningHoursInput? OpeningHours)
{
    public sealed class Validator : AbstractValidator<ChangeOpeningHours>
    {
        public Validator()
        {
            RuleFor(x => x.EffectiveFrom).NotNull().PlausibleDate();
            RuleFor(x => x.OpeningHours).NotNull();
            RuleFor(x => x.OpeningHours)
                .Must(h => h!.IsShort || h.IsWeekly).When(x => x.OpeningHours is not null)
                .WithMessage("'openingHours' must give the hours: 'days', 'opens' and 'closes', or one list of intervals per weekday ('mon' … 'sun'; a weekday left out is closed).");
            RuleFor(x => x.OpeningHours!).SetValidator(new OpeningHoursInput.Validator()).When(x => x.OpeningHours is not null);
        }
    }
}

/// <summary>A day the line is closed besides the weekly hours and the public holidays.</summary>
public sealed record AddClosureDay(DateOnly? Date, string? Reason)
{
    public sealed class Validator : AbstractValidator<AddClosureDay>
    {
        public Validator()
        {
            RuleFor(x => x.Date).NotNull().PlausibleDate();
            RuleFor(x => x.Reason).MaximumLength(200).Must(r => r is null || r.Trim().Length > 0)
                .WithMessage("'reason' must not be blank: leave it out instead.");
        }
    }
}

/// <summary>The body of a closure day's removal: nothing but the path is needed.</summary>
public sealed record RemoveClosureDay;

public static class ChangeCalendarEndpoints
{
    [WolverinePost("/api/contracts/{contractId}/opening-hours")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> PostOpeningHours(
        string contractId, ChangeOpeningHours command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeCalendarAsync(http, contractId, command.EffectiveFrom!.Value, clock, s => ContractDecider.ChangeOpeningHours(command, s), ct));

    [WolverinePost("/api/contracts/{contractId}/closure-days")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> PostClosureDay(
        string contractId, AddClosureDay command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeCalendarAsync(http, contractId, command.Date!.Value, clock, s => ContractDecider.AddClosureDay(command, s), ct));

    [WolverinePost("/api/contracts/{contractId}/closure-days/{date}/removal")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> PostClosureDayRemoval(
        string contractId, string date, RemoveClosureDay command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        Instants.TryParseDate(date, out var day)
            ? ContractAccess.Answer(await step.ChangeCalendarAsync(http, contractId, day, clock, s => ContractDecider.RemoveClosureDay(day, s), ct))
            : Results.Problem(Problems.Invalid("date", $"'date' in the path must be a date written yyyy-MM-dd, not '{date}'."));
}
