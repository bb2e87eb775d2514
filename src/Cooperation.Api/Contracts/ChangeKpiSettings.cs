using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using JasperFx.Events;
using Marten;
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
    public static Task<IEventStream<Contract>> LoadAsync(string contractId, IDocumentSession session, CancellationToken ct) =>
        ContractAccess.FetchForWriting(session, contractId, ct);

    public static ProblemDetails Validate(ChangeKpiSettings command, IEventStream<Contract> stream, string contractId, ClaimsPrincipal user) =>
        ContractAccess.MustReach(stream.Aggregate, contractId, user)
            .Then(() => ContractAccess.MustFallWithinTerm(stream.Aggregate!, "effectiveFrom", command.EffectiveFrom!.Value));

    [WolverinePost("/api/contracts/{contractId}/kpi-settings")]
    [Authorize(Roles = Roles.ContractAdmin)]
    public static IResult Post(ChangeKpiSettings command, IEventStream<Contract> stream, TimeProvider clock)
    {
        var contract = stream.Aggregate!;
        var day = command.EffectiveFrom!.Value;
        var settings = command.Settings.Over(contract.KpiSettingsOn(day));
        if (contract.KpiSettings.Contains(new KpiSettingsPeriod(day, settings)))
        {
            return ContractAccess.Changed(contract, clock); // already recorded: a retry
        }

        if (ContractAccess.MustNotReachIntoClosedQuarter(contract, "effectiveFrom", day) is var closed && !closed.IsNone())
        {
            return Results.Problem(closed);
        }

        var changed = new KpiSettingsChanged(contract.ContractId, settings, day, clock.GetUtcNow());
        return ContractAccess.Append(stream, changed, contract.Apply(changed), clock);
    }
}
