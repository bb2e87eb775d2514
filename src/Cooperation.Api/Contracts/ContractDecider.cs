using System.Text.Json;
using Cooperation.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Contracts;

/// <summary>
/// What a decision on a contract is made on besides the command: the contract (null before its signing), who
/// asks and the time. Read before deciding, by <see cref="ContractAccess"/>.
/// </summary>
public sealed record ContractSituation(string ContractId, Contract? Contract, Caller Caller, DateTimeOffset Now)
{
    /// <summary>The first event of an existing contract's stream: what a repeated signing is compared with.</summary>
    public ContractSigned? Signed { get; init; }

    /// <summary>A contract of the signing's provider that numbers its invoices with another prefix, if any.</summary>
    public Contract? OtherPrefix { get; init; }

    /// <summary>
    /// For a change of the service calendar: per invoiced quarter, the latest completion of one of its referring calls
    /// that came after the quarter's end (a referral's clock starts there). Only quarters whose referrals could still
    /// have been running on the change's first day are looked up.
    /// </summary>
    public IReadOnlyDictionary<Quarter, DateTimeOffset> LateReferrals { get; init; } = new Dictionary<Quarter, DateTimeOffset>();

    public string Key => StreamKeys.Contract(ContractId);
}

/// <summary>
/// The rules of a contract's stream, each in one place (ADR 14): a pure function of the command and the
/// situation, giving the events to store, "already recorded", or a problem. Quarters are closed and reopened by
/// billing, not here; the rules below read them.
/// </summary>
public static class ContractDecider
{
    public static Decision Sign(SignContract command, ContractSituation s)
    {
        var signed = command.ToEvent(s.ContractId, s.Now);
        var actsFor = MustActForAParty(command, s.Caller);
        if (!actsFor.IsNone())
        {
            return Decision.Refuse(actsFor);
        }

        if (s.Contract is not null)
        {
            // A retry of the same signing is a success that stores nothing; anything else is a clash of ids.
            return s.Signed is { } earlier && SameTerms(earlier, signed)
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict("contractId", $"A different contract '{s.ContractId}' already exists."));
        }

        // One gap-free invoice series per provider (ADR 12): a provider keeps the prefix it numbers with.
        return s.OtherPrefix is { } sibling
            ? Decision.Refuse(Problems.Conflict("provider.invoicePrefix",
                $"Provider '{signed.Provider.Id}' numbers its invoices with '{sibling.Provider.InvoicePrefix}' (contract '{sibling.ContractId}'): one gap-free series per provider needs one prefix."))
            : Decision.Start<Contract>(s.Key, signed);
    }

    public static Decision AddServiceLine(AddServiceLine command, ContractSituation s) => OnReachable(s, contract =>
    {
        var (code, name, from) = (command.Code!, command.Name!.Trim(), command.From!.Value);
        var active = contract.ActiveLine(code);
        var repeat = active is not null && active.Name == name && active.From == from;
        var problem = MustFallWithinTerm(contract, "from", from)
            .Then(() => active is not null && !repeat
                ? Problems.Conflict("code", $"Service line '{code}' already exists on this contract (from {active.From:yyyy-MM-dd}).")
                : Problems.None)
            .Then(() => MustFollowLastServed(contract, code, from));
        if (!problem.IsNone())
        {
            return Decision.Refuse(problem);
        }

        return repeat
            ? Decision.AlreadyRecorded
            : Decision.Unless(MustNotReachIntoClosedQuarter(contract, "from", from),
                () => Decision.Append(contract.Id, new ServiceLineAdded(contract.ContractId, code, name, from, s.Now)));
    });

    public static Decision RemoveServiceLine(RemoveServiceLine command, string code, ContractSituation s) => OnReachable(s, contract =>
    {
        var endsOn = command.EndsOn!.Value;
        var line = contract.ServiceLines.LastOrDefault(l => l.Code == code);
        if (line is null)
        {
            return Decision.Refuse(Problems.NotFound($"Contract '{s.ContractId}' has no service line '{code}'."));
        }

        if (line.EndsOn is { } ended)
        {
            return ended == endsOn
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict("endsOn", $"Service line '{code}' was already removed: it was served until {ended:yyyy-MM-dd}."));
        }

        return Decision.Unless(
            (endsOn < line.From
                    ? Problems.Conflict("endsOn", $"'endsOn' ({endsOn:yyyy-MM-dd}) may not precede the day service line '{code}' started ({line.From:yyyy-MM-dd}).")
                    : Problems.None)
                .Then(() => MustFallWithinTerm(contract, "endsOn", endsOn))
                .Then(() => MustNotReachIntoClosedQuarter(contract, "endsOn", endsOn.AddDays(1))),
            () => Decision.Append(contract.Id, new ServiceLineRemoved(contract.ContractId, code, endsOn, s.Now)));
    });

    /// <summary>A fee amendment may reach into an invoiced quarter: its difference is settled by an adjustment (ADR 12).</summary>
    public static Decision AmendFee(AmendFee command, ContractSituation s) => OnReachable(s, contract =>
    {
        var period = new FeePeriod(command.EffectiveFrom!.Value, command.AnnualFee!.Value);
        return Decision.Unless(MustFallWithinTerm(contract, "effectiveFrom", period.EffectiveFrom),
            () => contract.Fees.Contains(period)
                ? Decision.AlreadyRecorded
                : Decision.Append(contract.Id, new FeeAmended(contract.ContractId, period.AnnualFee, period.EffectiveFrom, s.Now)));
    });

    /// <summary>Members left out keep the value in force on the day the change takes effect.</summary>
    public static Decision ChangeKpiSettings(ChangeKpiSettings command, ContractSituation s) => OnReachable(s, contract =>
    {
        var day = command.EffectiveFrom!.Value;
        return Decision.Unless(MustFallWithinTerm(contract, "effectiveFrom", day), () =>
        {
            var settings = command.Settings.Over(contract.KpiSettingsOn(day));
            return contract.KpiSettings.Contains(new KpiSettingsPeriod(day, settings))
                ? Decision.AlreadyRecorded
                : Decision.Unless(MustNotReachIntoClosedQuarter(contract, "effectiveFrom", day),
                    () => Decision.Append(contract.Id, new KpiSettingsChanged(contract.ContractId, settings, day, s.Now)));
        });
    });

    /// <summary>
    /// Opening hours from a day on. Like every change of the service calendar it may not move a figure of an invoiced
    /// quarter, and a referral's clock carries a quarter's figures past its end (<see cref="MustKeepInvoicedCalendar"/>).
    /// </summary>
    public static Decision ChangeOpeningHours(ChangeOpeningHours command, ContractSituation s) => OnReachable(s, contract =>
    {
        var period = new OpeningHoursPeriod(command.EffectiveFrom!.Value, command.OpeningHours!.ToTerms());
        return Decision.Unless(MustFallWithinTerm(contract, "effectiveFrom", period.EffectiveFrom), () =>
            // The hours already in force from that day on: storing them again would change nothing.
            contract.OpeningHoursPeriods.Contains(period) || contract.OpeningHoursOn(period.EffectiveFrom) == period.Hours
                ? Decision.AlreadyRecorded
                : Decision.Unless(MustKeepInvoicedCalendar(contract, s.LateReferrals, "effectiveFrom", period.EffectiveFrom, DateOnly.MaxValue),
                    () => Decision.Append(contract.Id, new OpeningHoursChanged(contract.ContractId, period.Hours, period.EffectiveFrom, s.Now))));
    });

    /// <summary>A closure day is added once; the same day again with another reason is a conflict, not a silent edit.</summary>
    public static Decision AddClosureDay(AddClosureDay command, ContractSituation s) => OnReachable(s, contract =>
    {
        var (date, reason) = (command.Date!.Value, command.Reason?.Trim());
        return Decision.Unless(MustFallWithinTerm(contract, "date", date), () =>
        {
            if (contract.ClosureDays.Contains(date))
            {
                var listed = contract.ClosureReasons.FirstOrDefault(r => r.Date == date)?.Reason;
                return listed == reason
                    ? Decision.AlreadyRecorded
                    : Decision.Refuse(Problems.Conflict("reason",
                        $"{date:yyyy-MM-dd} is already a closure day {(listed is null ? "without a reason" : $"('{listed}')")}: remove it first to give it another reason."));
            }

            return Decision.Unless(MustKeepInvoicedCalendar(contract, s.LateReferrals, "date", date, date),
                () => Decision.Append(contract.Id, new ClosureDayAdded(contract.ContractId, date, reason, s.Now)));
        });
    });

    /// <summary>A day removed before is answered as done (a retry); a day never listed is unknown.</summary>
    public static Decision RemoveClosureDay(DateOnly date, ContractSituation s) => OnReachable(s, contract =>
        contract.ClosureDays.Contains(date)
            ? Decision.Unless(MustKeepInvoicedCalendar(contract, s.LateReferrals, "date", date, date),
                () => Decision.Append(contract.Id, new ClosureDayRemoved(contract.ContractId, date, s.Now)))
            : contract.ClosureDaysRemoved.Contains(date)
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.NotFound("date", $"{date:yyyy-MM-dd} is not a closure day of contract '{contract.ContractId}'.")));

    /// <summary>
    /// A party's data from a day on, checked as at signing (a change that would remove what every invoice must carry
    /// is 400 naming it). Documents issued from that day on carry it; documents issued before never change, so it
    /// may be dated into an invoiced quarter.
    /// </summary>
    public static Decision ChangeParty(ChangeParty command, ContractSituation s) => OnReachable(s, contract =>
    {
        var day = command.EffectiveFrom!.Value;
        return Decision.Unless(MustFallWithinTerm(contract, "effectiveFrom", day), () =>
        {
            var provider = command.Party == Parties.Provider;
            var providerAfter = provider ? command.Over(contract.ProviderOn(day)) : null;
            var clientAfter = provider ? null : command.Over(contract.ClientOn(day));
            var errors = provider
                ? Failures(new SignContract.ProviderValidator().Validate(providerAfter!))
                : Failures(new SignContract.ClientValidator().Validate(clientAfter!));
            if (provider && contract.Vat == VatTreatment.Standard && string.IsNullOrWhiteSpace(providerAfter!.VatId) && string.IsNullOrWhiteSpace(providerAfter.TaxNumber))
            {
                errors["vatId"] = ["Under 'vat': 'standard' the provider keeps a 'vatId' or a 'taxNumber' (BR-S-02, BR-DE-16)."];
            }

            if (errors.Count > 0)
            {
                return Decision.Refuse(Problems.Invalid(errors));
            }

            var changed = provider
                ? new PartyPeriod(Parties.Provider, day, providerAfter!.ToProvider(), null)
                : new PartyPeriod(Parties.Client, day, null, clientAfter!.ToClient());
            return contract.PartyChanges.Contains(changed)
                ? Decision.AlreadyRecorded
                : Decision.Append(contract.Id, new PartyChanged(contract.ContractId, changed.Party, day, changed.Provider, changed.Client, s.Now));
        });
    });

    private static Dictionary<string, string[]> Failures(FluentValidation.Results.ValidationResult result) =>
        result.Errors.GroupBy(e => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray());

    /// <summary>A termination can shorten a fixed term, not extend it; it is checked against the term like any dated change.</summary>
    public static Decision Terminate(TerminateContract command, ContractSituation s) => OnReachable(s, contract =>
    {
        var endsOn = command.EndsOn!.Value;
        if (contract.Status == ContractStatus.Terminated)
        {
            return contract.EndsOn == endsOn
                ? Decision.AlreadyRecorded
                : Decision.Refuse(Problems.Conflict("endsOn", $"The contract is already terminated: it ends on {contract.EndsOn:yyyy-MM-dd}."));
        }

        return Decision.Unless(
            MustFallWithinTerm(contract, "endsOn", endsOn).Then(() => MustNotReachIntoClosedQuarter(contract, "endsOn", endsOn.AddDays(1))),
            () => Decision.Append(contract.Id, new ContractTerminated(contract.ContractId, endsOn, s.Now)));
    });

    /// <summary>403 for a signing by a caller whose municipality is neither the provider nor the client.</summary>
    public static ProblemDetails MustActForAParty(SignContract command, Caller caller) =>
        caller.Reaches(command.Provider!.Id!, command.Client!.Id!)
            ? Problems.None
            : Problems.Forbidden($"You act for '{caller.Municipality}', which is not party to this contract.");

    /// <summary>
    /// 404 for a contract that does not exist or that the caller's municipality is no party to:
    /// another city's caller learns nothing, not even that it exists.
    /// </summary>
    public static ProblemDetails MustReach(Contract? contract, string contractId, Caller caller) =>
        contract is not null && contract.IsReachableBy(caller)
            ? Problems.None
            : Problems.NotFound($"There is no contract '{contractId}'.");

    /// <summary>409 when a dated change would fall outside the contract's term.</summary>
    public static ProblemDetails MustFallWithinTerm(Contract contract, string field, DateOnly date)
    {
        if (date < contract.StartsOn)
        {
            return Problems.Conflict(field, $"'{field}' ({date:yyyy-MM-dd}) may not predate the contract's start on {contract.StartsOn:yyyy-MM-dd}.");
        }

        if (contract.EndsOn is { } end && date > end)
        {
            var why = contract.Status == ContractStatus.Terminated ? "was terminated and ends" : "ends";
            return Problems.Conflict(field, $"'{field}' ({date:yyyy-MM-dd}) may not follow the contract's end: it {why} on {end:yyyy-MM-dd}.");
        }

        return Problems.None;
    }

    /// <summary>
    /// 409 for a change that would take effect on or before the end of an invoiced quarter (domain §6): the
    /// billed figures stay as billed. <paramref name="firstDayChanged"/> is the first day the change alters.
    /// </summary>
    public static ProblemDetails MustNotReachIntoClosedQuarter(Contract contract, string field, DateOnly firstDayChanged) =>
        contract.LatestClosed is { } closed && firstDayChanged <= closed.Period.LastDay
            ? Problems.Conflict(field,
                $"{closed.Period} of this contract is invoiced ({closed.InvoiceNumber}): a change may take effect from {closed.Period.LastDay.AddDays(1):yyyy-MM-dd} on. Cancel the invoice with a credit note to reopen the quarter, or date the change later.")
            : Problems.None;

    /// <summary>
    /// 409 for a change of the service calendar on the days <paramref name="from"/>–<paramref name="to"/> that could
    /// move a figure of an invoiced quarter. A quarter's calls count by the calendar of the day they were offered, and
    /// its referrals' 24-service-hour clocks run on past its end: from the quarter's end, or from a referring call's
    /// completion after it (<paramref name="lateReferrals"/>), up to the first day that begins more than 24 service
    /// hours later on the calendar as it stands. From that day on a clock started by then has run out, so what the
    /// calendar says cannot change whether a referral was answered in time.
    /// </summary>
    public static ProblemDetails MustKeepInvoicedCalendar(
        Contract contract, IReadOnlyDictionary<Quarter, DateTimeOffset> lateReferrals, string field, DateOnly from, DateOnly to)
    {
        if (contract.ClosedQuarters.Count == 0)
        {
            return Problems.None;
        }

        var calendar = Reports.ServiceCalendar.For(contract);
        foreach (var closed in contract.ClosedQuarters.OrderByDescending(c => c.Period.LastDay))
        {
            var clock = ClockStartOf(closed.Period, lateReferrals);
            var free = calendar.FirstDayPast(clock, Reports.Kpis.ReferralClock);
            if (from < free && to >= closed.Period.FirstDay)
            {
                var late = clock > Berlin.StartOf(closed.Period.LastDay.AddDays(1))
                    ? $" (a referral of it opened on {Berlin.DateOf(clock):yyyy-MM-dd}, after the quarter's end)"
                    : string.Empty;
                return Problems.Conflict(field,
                    $"{closed.Period} of this contract is invoiced ({closed.InvoiceNumber}): its figures depend on the opening hours and closure days from {closed.Period.FirstDay:yyyy-MM-dd} until its referrals' 24-service-hour clocks have run out{late}, on {free.AddDays(-1):yyyy-MM-dd}. A change of them may take effect from {free:yyyy-MM-dd} on; or cancel the invoice with a credit note to reopen the quarter.");
            }
        }

        return Problems.None;
    }

    /// <summary>The latest start of a referral clock of the quarter: its end, or a referring call completed after it.</summary>
    public static DateTimeOffset ClockStartOf(Quarter quarter, IReadOnlyDictionary<Quarter, DateTimeOffset> lateReferrals)
    {
        var end = Berlin.StartOf(quarter.LastDay.AddDays(1));
        return lateReferrals.TryGetValue(quarter, out var late) && late > end ? late : end;
    }

    /// <summary>409 for a line added again on or before the last day it was served.</summary>
    private static ProblemDetails MustFollowLastServed(Contract contract, string code, DateOnly from) =>
        contract.ServiceLines.Where(l => l.Code == code && l.EndsOn is not null).MaxBy(l => l.EndsOn) is { } lastEnded && from <= lastEnded.EndsOn
            ? Problems.Conflict("from", $"Service line '{code}' was served until {lastEnded.EndsOn:yyyy-MM-dd}; it can start again only after that.")
            : Problems.None;

    private static Decision OnReachable(ContractSituation s, Func<Contract, Decision> decide) =>
        Decision.Unless(MustReach(s.Contract, s.ContractId, s.Caller), () => decide(s.Contract!));

    /// <summary>The same signing, but for the moment it was made.</summary>
    private static bool SameTerms(ContractSigned a, ContractSigned b) =>
        JsonSerializer.Serialize(a with { SignedAt = default }, ApiJson.Options) ==
        JsonSerializer.Serialize(b with { SignedAt = default }, ApiJson.Options);
}
