namespace Cooperation.Api.Contracts;

/// <summary>
/// A contract as the API shows it: the terms in force on <c>on</c>, every dated change, and the quarters closed
/// by a live invoice (nothing but a fee amendment is dated into them any more).
/// </summary>
public sealed record ContractView(
    string ContractId,
    string StreamId,
    long Version,
    ContractStatus Status,
    Provider Provider,
    Client Client,
    decimal AnnualFee,
    DateOnly StartsOn,
    DateOnly? EndsOn,
    IReadOnlyList<ServiceLine> ServiceLines,
    IReadOnlyList<FeePeriod> Fees,
    OpeningHours OpeningHours,
    IReadOnlyList<OpeningHoursPeriod> OpeningHoursHistory,
    IReadOnlyList<DateOnly> ClosureDays,
    IReadOnlyList<ClosureDay> ClosureReasons,
    KpiSettings KpiSettings,
    IReadOnlyList<KpiSettingsPeriod> KpiSettingsHistory,
    VatTreatment Vat,
    int PaymentTermsDays,
    IReadOnlyList<ClosedQuarter> ClosedQuarters)
{
    /// <summary><paramref name="on"/> picks the fee, KPI settings, opening hours and parties shown as current (clamped to the contract's term).</summary>
    public static ContractView From(Contract contract, DateOnly on)
    {
        var day = on < contract.StartsOn ? contract.StartsOn
            : contract.EndsOn is { } end && on > end ? end
            : on;
        return new ContractView(
            contract.ContractId,
            contract.Id,
            contract.Version,
            contract.Status,
            contract.ProviderOn(day),
            contract.ClientOn(day),
            contract.AnnualFeeOn(day),
            contract.StartsOn,
            contract.EndsOn,
            contract.ServiceLines,
            contract.Fees,
            contract.OpeningHoursOn(day),
            contract.OpeningHoursPeriods,
            contract.ClosureDays,
            contract.ClosureReasons,
            contract.KpiSettingsOn(day),
            contract.KpiSettings,
            contract.Vat,
            contract.PaymentTermsDays,
            contract.ClosedQuarters);
    }
}
