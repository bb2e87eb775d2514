using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>New KPI settings from a date on; members left out keep the value in force on that date.</summary>
public sealed record ChangeKpiSettings(
    int? ServiceLevelSeconds,
    int? ShortAbandonSeconds,
    decimal? ServiceLevelTargetPercent,
    decimal? FirstContactResolutionTargetPercent,
    DateOnly? EffectiveFrom)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public KpiSettingsInput Settings => new(ServiceLevelSeconds, ShortAbandonSeconds, ServiceLevelTargetPercent, FirstContactResolutionTargetPercent);

    public sealed class Validator : AbstractValidator<ChangeKpiSettings>
    {
        public Validator()
        {
            RuleFor(x => x.EffectiveFrom).NotNull().PlausibleDate();
            RuleFor(x => x).Must(x => x.Settings != new KpiSettingsInput(null, null, null, null))
                .WithMessage("Name at least one setting to change.").OverridePropertyName("$");
            RuleFor(x => x.Settings).SetValidator(new KpiSettingsInput.Validator()).OverridePropertyName(string.Empty);
        }
    }
}

public static class ChangeKpiSettingsEndpoint
{
    [WolverinePost("/api/contracts/{contractId}/kpi-settings")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        string contractId, ChangeKpiSettings command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeAsync(http, contractId, clock, s => ContractDecider.ChangeKpiSettings(command, s), ct));
}
