using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Contracts;

// ---- Terms (value types shared by events, aggregate and API) ----

public enum Weekday { Mon, Tue, Wed, Thu, Fri, Sat, Sun }

/// <summary>Inter-municipal cooperation is not subject to VAT by default (§ 2b UStG); otherwise 19 %.</summary>
public enum VatTreatment { NotSubject, Standard }

public enum ContractStatus { Active, Terminated }

public sealed record Provider(
    string Id,
    string Name,
    string InvoicePrefix,
    string Street,
    string PostalCode,
    string City,
    string Iban,
    string ContactEmail,
    string? ContactName,
    string? ContactPhone,
    string? VatId = null,
    string? TaxNumber = null)
{
    /// <summary>
    /// What the XRechnung rules require of the seller and this provider lacks (BT-41, BT-42; under standard VAT BT-31
    /// or BT-32), as the request fields that give it: empty for every contract signed since they are required.
    /// </summary>
    public IReadOnlyList<string> MissingForInvoices(VatTreatment vat) =>
    [
        .. string.IsNullOrWhiteSpace(ContactName) ? ["provider.contactName"] : Array.Empty<string>(),
        .. string.IsNullOrWhiteSpace(ContactPhone) ? ["provider.contactPhone"] : Array.Empty<string>(),
        .. vat == VatTreatment.Standard && string.IsNullOrWhiteSpace(VatId) && string.IsNullOrWhiteSpace(TaxNumber)
            ? ["provider.vatId"] : Array.Empty<string>(),
    ];
}

/// <summary>The client municipality; <c>State</c> is the federal state's code (NW, BY, …) for its holidays.</summary>
public sealed record Client(
    string Id,
    string Name,
    string State,
    string LeitwegId,
    string Street,
    string PostalCode,
    string City);

/// <summary>The two parties of a contract, as <see cref="PartyChanged"/> names them.</summary>
public static class Parties
{
    public const string Provider = "provider";

    public const string Client = "client";
}

/// <summary>Open from <c>Opens</c> up to, not including, <c>Closes</c>, Berlin wall-clock time.</summary>
public sealed record OpeningInterval(TimeOnly Opens, TimeOnly Closes);

/// <summary>
/// The intervals the line is open on each weekday (Europe/Berlin); a day without intervals is closed. Stored and
/// shown in this weekly form; contracts stored before it existed hold the short form (the same hours on the listed
/// days), which <see cref="OpeningHoursJson"/> still reads.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(OpeningHoursJson))]
public sealed record OpeningHours(
    IReadOnlyList<OpeningInterval> Mon,
    IReadOnlyList<OpeningInterval> Tue,
    IReadOnlyList<OpeningInterval> Wed,
    IReadOnlyList<OpeningInterval> Thu,
    IReadOnlyList<OpeningInterval> Fri,
    IReadOnlyList<OpeningInterval> Sat,
    IReadOnlyList<OpeningInterval> Sun)
{
    public static OpeningHours Default { get; } =
        Same([Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri], new TimeOnly(8, 0), new TimeOnly(18, 0));

    /// <summary>The short form: the same hours on each listed day, closed on the others.</summary>
    public static OpeningHours Same(IEnumerable<Weekday> days, TimeOnly opens, TimeOnly closes)
    {
        var open = days.ToHashSet();
        return Weekly(day => open.Contains(day) ? [new OpeningInterval(opens, closes)] : []);
    }

    /// <summary>
    /// The weekly form, each day's intervals in order of opening, intervals that touch joined (08:00–12:00 and
    /// 12:00–14:00 are 08:00–14:00), so the same hours always read the same.
    /// </summary>
    public static OpeningHours Weekly(Func<Weekday, IEnumerable<OpeningInterval>> intervalsOn)
    {
        IReadOnlyList<OpeningInterval> On(Weekday day)
        {
            var joined = new List<OpeningInterval>();
            foreach (var interval in intervalsOn(day).OrderBy(i => i.Opens))
            {
                if (joined.Count > 0 && joined[^1].Closes >= interval.Opens)
                {
                    joined[^1] = joined[^1] with { Closes = interval.Closes > joined[^1].Closes ? interval.Closes : joined[^1].Closes };
                }
                else
                {
                    joined.Add(interval);
                }
            }

            return joined;
        }

        return new(On(Weekday.Mon), On(Weekday.Tue), On(Weekday.Wed), On(Weekday.Thu), On(Weekday.Fri), On(Weekday.Sat), On(Weekday.Sun));
    }

    public IReadOnlyList<OpeningInterval> On(Weekday day) => day switch
    {
        Weekday.Mon => Mon,
        Weekday.Tue => Tue,
        Weekday.Wed => Wed,
        Weekday.Thu => Thu,
        Weekday.Fri => Fri,
        Weekday.Sat => Sat,
        _ => Sun,
    };

    /// <summary>Equal when every weekday has the same intervals (a record compares lists by reference).</summary>
    public bool Equals(OpeningHours? other) =>
        other is not null && Enum.GetValues<Weekday>().All(day => On(day).SequenceEqual(other.On(day)));

    public override int GetHashCode() =>
        Enum.GetValues<Weekday>().Aggregate(0, (hash, day) => On(day).Aggregate(HashCode.Combine(hash, day), HashCode.Combine));
}

/// <summary>Opening hours in force from <c>EffectiveFrom</c> on.</summary>
public sealed record OpeningHoursPeriod(DateOnly EffectiveFrom, OpeningHours Hours);

/// <summary>A day the contract's line is closed, and why if a reason was given.</summary>
public sealed record ClosureDay(DateOnly Date, string? Reason);

public sealed record KpiSettings(
    int ServiceLevelSeconds,
    int ShortAbandonSeconds,
    decimal ServiceLevelTargetPercent,
    decimal FirstContactResolutionTargetPercent)
{
    public static KpiSettings Default { get; } = new(30, 10, 75m, 80m);
}

public sealed record ServiceLineTerms(string Code, string Name, DateOnly From);

public sealed record ServiceLine(string Code, string Name, DateOnly From, DateOnly? EndsOn)
{
    public bool Covers(DateOnly day) => day >= From && (EndsOn is null || day <= EndsOn);
}

public sealed record FeePeriod(DateOnly EffectiveFrom, decimal AnnualFee);

/// <summary>Days <c>From</c>–<c>To</c> of a quarter of <c>QuarterDays</c> days, billed at <c>AnnualFee</c> a year.</summary>
public sealed record FeePart(DateOnly From, DateOnly To, decimal AnnualFee, int QuarterDays)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The part's share of the quarter, unrounded: annualFee / 4 × days / daysInQuarter.</summary>
    public decimal Exact => AnnualFee * Days / (4m * QuarterDays);
}

public sealed record KpiSettingsPeriod(DateOnly EffectiveFrom, KpiSettings Settings);

// ---- Events of the Contract stream (key: "contract:{contractId}") ----

public sealed record ContractSigned(
    string ContractId,
    Provider Provider,
    Client Client,
    decimal AnnualFee,
    DateOnly StartsOn,
    DateOnly? EndsOn,
    IReadOnlyList<ServiceLineTerms> ServiceLines,
    OpeningHours OpeningHours,
    IReadOnlyList<DateOnly> ClosureDays,
    KpiSettings KpiSettings,
    VatTreatment Vat,
    int PaymentTermsDays,
    DateTimeOffset SignedAt) : IStreamEvent<Contract>;

public sealed record ServiceLineAdded(string ContractId, string Code, string Name, DateOnly From, DateTimeOffset AddedAt) : IStreamEvent<Contract>;

/// <summary><c>EndsOn</c> is the last day the line is served.</summary>
public sealed record ServiceLineRemoved(string ContractId, string Code, DateOnly EndsOn, DateTimeOffset RemovedAt) : IStreamEvent<Contract>;

public sealed record FeeAmended(string ContractId, decimal AnnualFee, DateOnly EffectiveFrom, DateTimeOffset AmendedAt) : IStreamEvent<Contract>;

public sealed record KpiSettingsChanged(string ContractId, KpiSettings Settings, DateOnly EffectiveFrom, DateTimeOffset ChangedAt) : IStreamEvent<Contract>;

/// <summary>The opening hours from <c>EffectiveFrom</c> on, the whole week as it reads after the change.</summary>
public sealed record OpeningHoursChanged(string ContractId, OpeningHours Hours, DateOnly EffectiveFrom, DateTimeOffset ChangedAt) : IStreamEvent<Contract>;

public sealed record ClosureDayAdded(string ContractId, DateOnly Date, string? Reason, DateTimeOffset AddedAt) : IStreamEvent<Contract>;

public sealed record ClosureDayRemoved(string ContractId, DateOnly Date, DateTimeOffset RemovedAt) : IStreamEvent<Contract>;

/// <summary>
/// A quarter of the contract was invoiced: from now on nothing dated into it is recorded, except a fee
/// amendment, whose difference is settled by an adjustment (domain §6, ADR 12). Recorded by billing.
/// </summary>
public sealed record QuarterClosed(string ContractId, int Year, int Quarter, string InvoiceId, string InvoiceNumber, DateTimeOffset ClosedAt) : IStreamEvent<Contract>;

/// <summary>The quarter's invoice was cancelled by a credit note: the quarter is open again until it is invoiced anew.</summary>
public sealed record QuarterReopened(string ContractId, int Year, int Quarter, string CreditNoteId, string CreditNoteNumber, DateTimeOffset ReopenedAt) : IStreamEvent<Contract>;

/// <summary>A quarter with a live invoice, and the invoice's number.</summary>
public sealed record ClosedQuarter(int Year, int Quarter, string InvoiceId, string InvoiceNumber)
{
    /// <summary>When the invoice closed the quarter; null in contracts stored before it was kept.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public Infrastructure.Quarter Period => new(Year, Quarter);
}

/// <summary>
/// A party's data from a day on: the whole record as it reads after the change (<c>Provider</c> or <c>Client</c>,
/// as <c>Party</c> says). Documents issued from that day on carry it; earlier ones never change.
/// </summary>
public sealed record PartyChanged(
    string ContractId, string Party, DateOnly EffectiveFrom, Provider? Provider, Client? Client, DateTimeOffset ChangedAt) : IStreamEvent<Contract>;

/// <summary>A party's data in force from <c>EffectiveFrom</c> on.</summary>
public sealed record PartyPeriod(string Party, DateOnly EffectiveFrom, Provider? Provider, Client? Client);

/// <summary><c>EndsOn</c> is the last day the contract covers.</summary>
public sealed record ContractTerminated(string ContractId, DateOnly EndsOn, DateTimeOffset TerminatedAt) : IStreamEvent<Contract>;

// ---- The aggregate ----

/// <summary>
/// A contract's state, rebuilt from its events through its one fold, <see cref="When"/>. Immutable: each event
/// gives a new instance, so the aggregate held by Marten's identity map is never changed behind its back.
/// </summary>
public sealed record Contract(
    string Id,
    string ContractId,
    Provider Provider,
    Client Client,
    DateOnly StartsOn,
    DateOnly? EndsOn,
    ContractStatus Status,
    IReadOnlyList<FeePeriod> Fees,
    IReadOnlyList<ServiceLine> ServiceLines,
    OpeningHours OpeningHours,
    IReadOnlyList<DateOnly> ClosureDays,
    IReadOnlyList<KpiSettingsPeriod> KpiSettings,
    VatTreatment Vat,
    int PaymentTermsDays) : IAggregate<Contract>
{
    public long Version { get; init; }

    /// <summary>Changes of the parties' data, by party and date (the data signed applies before the first).</summary>
    public IReadOnlyList<PartyPeriod> PartyChanges { get; init; } = [];

    /// <summary>The provider's data in force on a day: what documents issued that day carry.</summary>
    public Provider ProviderOn(DateOnly day) =>
        PartyChanges.LastOrDefault(p => p.Party == Parties.Provider && p.EffectiveFrom <= day)?.Provider ?? Provider;

    /// <summary>The client's data in force on a day.</summary>
    public Client ClientOn(DateOnly day) =>
        PartyChanges.LastOrDefault(p => p.Party == Parties.Client && p.EffectiveFrom <= day)?.Client ?? Client;

    /// <summary>Changes of the opening hours, by date; the hours signed apply before the first.</summary>
    public IReadOnlyList<OpeningHoursPeriod> OpeningHoursChanges { get; init; } = [];

    /// <summary>The opening hours in force on a day.</summary>
    public OpeningHours OpeningHoursOn(DateOnly day) =>
        OpeningHoursChanges.LastOrDefault(p => p.EffectiveFrom <= day)?.Hours ?? OpeningHours;

    /// <summary>Every period of opening hours, the first from the contract's start.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<OpeningHoursPeriod> OpeningHoursPeriods =>
    [
        .. OpeningHoursChanges.Any(p => p.EffectiveFrom <= StartsOn) ? [] : new[] { new OpeningHoursPeriod(StartsOn, OpeningHours) },
        .. OpeningHoursChanges,
    ];

    /// <summary>The reasons given for closure days that are listed (a day added without one is not here).</summary>
    public IReadOnlyList<ClosureDay> ClosureReasons { get; init; } = [];

    /// <summary>Closure days removed and not added again: a repeated removal is answered as done, not as unknown.</summary>
    public IReadOnlyList<DateOnly> ClosureDaysRemoved { get; init; } = [];

    /// <summary>The quarters with a live invoice, in the order they were closed.</summary>
    public IReadOnlyList<ClosedQuarter> ClosedQuarters { get; init; } = [];

    public Contract AtVersion(long version) => this with { Version = version };

    /// <summary>
    /// The one fold of a contract's events (ADR 14): the write path, the inline snapshot and the as-of reads all
    /// go through it. A dated change replaces what was in force from its date on.
    /// </summary>
    public static Contract When(Contract? contract, object @event) => (contract, @event) switch
    {
        (null, ContractSigned e) => new(
            StreamKeys.Contract(e.ContractId),
            e.ContractId,
            e.Provider,
            e.Client,
            e.StartsOn,
            e.EndsOn,
            ContractStatus.Active,
            [new FeePeriod(e.StartsOn, e.AnnualFee)],
            [.. e.ServiceLines.Select(l => new ServiceLine(l.Code, l.Name, l.From, null))],
            e.OpeningHours,
            e.ClosureDays,
            [new KpiSettingsPeriod(e.StartsOn, e.KpiSettings)],
            e.Vat,
            e.PaymentTermsDays),
        ({ } c, ServiceLineAdded e) => c with { ServiceLines = [.. c.ServiceLines, new ServiceLine(e.Code, e.Name, e.From, null)] },
        ({ } c, ServiceLineRemoved e) =>
            c with { ServiceLines = [.. c.ServiceLines.Select(l => l.Code == e.Code && l.EndsOn is null ? l with { EndsOn = e.EndsOn } : l)] },
        ({ } c, FeeAmended e) => c with
        {
            Fees = [.. c.Fees.Where(f => f.EffectiveFrom != e.EffectiveFrom).Append(new FeePeriod(e.EffectiveFrom, e.AnnualFee)).OrderBy(f => f.EffectiveFrom)],
        },
        ({ } c, KpiSettingsChanged e) => c with
        {
            KpiSettings = [.. c.KpiSettings.Where(k => k.EffectiveFrom != e.EffectiveFrom).Append(new KpiSettingsPeriod(e.EffectiveFrom, e.Settings)).OrderBy(k => k.EffectiveFrom)],
        },
        ({ } c, PartyChanged e) => c with
        {
            PartyChanges =
            [
                .. c.PartyChanges.Where(p => p.Party != e.Party || p.EffectiveFrom != e.EffectiveFrom)
                    .Append(new PartyPeriod(e.Party, e.EffectiveFrom, e.Provider, e.Client))
                    .OrderBy(p => p.EffectiveFrom),
            ],
        },
        ({ } c, OpeningHoursChanged e) => c with
        {
            OpeningHoursChanges =
            [
                .. c.OpeningHoursChanges.Where(p => p.EffectiveFrom != e.EffectiveFrom)
                    .Append(new OpeningHoursPeriod(e.EffectiveFrom, e.Hours))
                    .OrderBy(p => p.EffectiveFrom),
            ],
        },
        ({ } c, ClosureDayAdded e) => c with
        {
            ClosureDays = [.. c.ClosureDays.Where(d => d != e.Date).Append(e.Date).Order()],
            ClosureReasons = e.Reason is null ? c.ClosureReasons : [.. c.ClosureReasons.Append(new ClosureDay(e.Date, e.Reason)).OrderBy(r => r.Date)],
            ClosureDaysRemoved = [.. c.ClosureDaysRemoved.Where(d => d != e.Date)],
        },
        ({ } c, ClosureDayRemoved e) => c with
        {
            ClosureDays = [.. c.ClosureDays.Where(d => d != e.Date)],
            ClosureReasons = [.. c.ClosureReasons.Where(r => r.Date != e.Date)],
            ClosureDaysRemoved = [.. c.ClosureDaysRemoved.Append(e.Date).Order()],
        },
        ({ } c, ContractTerminated e) => c with { EndsOn = e.EndsOn, Status = ContractStatus.Terminated },
        ({ } c, QuarterClosed e) => c with
        {
            ClosedQuarters = [.. c.ClosedQuarters, new ClosedQuarter(e.Year, e.Quarter, e.InvoiceId, e.InvoiceNumber) { ClosedAt = e.ClosedAt }],
        },
        ({ } c, QuarterReopened e) => c with { ClosedQuarters = [.. c.ClosedQuarters.Where(q => q.Year != e.Year || q.Quarter != e.Quarter)] },
        _ => throw new UnknownEventException(typeof(Contract), @event),
    };

    public ClosedQuarter? ClosingOf(Quarter quarter) =>
        ClosedQuarters.FirstOrDefault(c => c.Year == quarter.Year && c.Quarter == quarter.Number);

    /// <summary>The closed quarter that ends last, if any: changes that reach back on or before its end would alter it.</summary>
    public ClosedQuarter? LatestClosed => ClosedQuarters.MaxBy(c => c.Period.LastDay);

    public bool Covers(DateOnly day) => day >= StartsOn && (EndsOn is null || day <= EndsOn);

    /// <summary>The annual fee in force on a day of the contract.</summary>
    public decimal AnnualFeeOn(DateOnly day) => Fees.Last(f => f.EffectiveFrom <= day || f == Fees[0]).AnnualFee;

    /// <summary>
    /// The fee due for a quarter, billed in arrears: a quarter of the annual fee for a fully covered quarter;
    /// where the term starts, ends or the fee changes inside it, each day bears its share of the quarter
    /// (Σ annualFee / 4 × days / daysInQuarter), rounded once, to the cent, half away from zero. Each quarter
    /// depends on its own terms only (ADR 12), so a change dated into one quarter never alters another's fee.
    /// </summary>
    public decimal FeeDue(Quarter quarter) =>
        Money.Round(FeeParts(quarter).Sum(p => p.AnnualFee * p.Days) / (4m * quarter.Days));

    /// <summary>
    /// The fee due for a calendar year: the sum of its quarters. It equals the annual fee whenever that divides
    /// into cents by four; otherwise it differs by the quarters' rounding, at most two cents.
    /// </summary>
    public decimal FeeDue(int year) => Money.Total(Enumerable.Range(1, 4).Select(q => FeeDue(new Quarter(year, q))));

    /// <summary>The quarter's parts, by fee in force: first and last day covered, annual fee, and unrounded share.</summary>
    public IReadOnlyList<FeePart> FeeParts(Quarter quarter)
    {
        var parts = new List<FeePart>();
        for (var day = quarter.FirstDay; day <= quarter.LastDay; day = day.AddDays(1))
        {
            if (!Covers(day))
            {
                continue;
            }

            var fee = AnnualFeeOn(day);
            if (parts.Count > 0 && parts[^1].AnnualFee == fee && parts[^1].To == day.AddDays(-1))
            {
                parts[^1] = parts[^1] with { To = day };
            }
            else
            {
                parts.Add(new FeePart(day, day, fee, quarter.Days));
            }
        }

        return parts;
    }

    public KpiSettings KpiSettingsOn(DateOnly day) => KpiSettings.Last(k => k.EffectiveFrom <= day || k == KpiSettings[0]).Settings;

    /// <summary>The line with this code that has not been removed, if any.</summary>
    public ServiceLine? ActiveLine(string code) => ServiceLines.LastOrDefault(l => l.Code == code && l.EndsOn is null);

    public ServiceLine? LineOn(string code, DateOnly day) => ServiceLines.LastOrDefault(l => l.Code == code && l.Covers(day));

    /// <summary>True when the caller's municipality (if bound) is party to this contract.</summary>
    public bool IsReachableBy(Caller caller) => caller.Reaches(Provider.Id, Client.Id);
}

/// <summary>
/// <see cref="Contract.When"/> as <c>Contract.Create(signed)</c> and <c>contract.Apply(e)</c>, for code that holds
/// a contract and events rather than a stream (the pure rules' tests). Extension members, not members of the
/// record: Marten refuses an aggregate with both its own Apply/Create and an Evolve (ADR 14).
/// </summary>
public static class ContractFold
{
    extension(Contract)
    {
        public static Contract Create(ContractSigned signed) => Contract.When(null, signed);
    }

    extension(Contract contract)
    {
        /// <summary>The contract after one more event; the version stays as it is.</summary>
        public Contract Apply(object @event) => Contract.When(contract, @event);
    }
}
