using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

public sealed record ProviderInput(
    string? Id, string? Name, string? InvoicePrefix, string? Street, string? PostalCode, string? City,
    string? Iban, string? ContactEmail, string? ContactName, string? ContactPhone, string? VatId = null, string? TaxNumber = null)
{
    /// <summary>The provider as stored, normalised. Call only when valid.</summary>
    public Provider ToProvider() => new(
        Id!, Name!.Trim(), InvoicePrefix!, Street!.Trim(), PostalCode!, City!.Trim(), Contracts.Iban.Normalize(Iban!), ContactEmail!.Trim(),
        ContactName!.Trim(), ContactPhone!.Trim(), string.IsNullOrWhiteSpace(VatId) ? null : VatId,
        string.IsNullOrWhiteSpace(TaxNumber) ? null : TaxNumber.Trim());

    public static ProviderInput From(Provider p) =>
        new(p.Id, p.Name, p.InvoicePrefix, p.Street, p.PostalCode, p.City, p.Iban, p.ContactEmail, p.ContactName, p.ContactPhone, p.VatId, p.TaxNumber);
}

public sealed record ClientInput(
    string? Id, string? Name, string? State, string? LeitwegId, string? Street, string? PostalCode, string? City)
{
    /// <summary>The client as stored, normalised. Call only when valid.</summary>
    public Client ToClient() => new(Id!, Name!.Trim(), State!, LeitwegId!.ToUpperInvariant(), Street!.Trim(), PostalCode!, City!.Trim());

    public static ClientInput From(Client c) => new(c.Id, c.Name, c.State, c.LeitwegId, c.Street, c.PostalCode, c.City);
}

public sealed record ServiceLineInput(string? Code, string? Name, DateOnly? From)
{
    public const int MaxNameLength = 200;

    public sealed class Validator : AbstractValidator<ServiceLineInput>
    {
        public Validator()
        {
            RuleFor(l => l.Code).NotEmpty().KebabCaseId();
            RuleFor(l => l.Name).NotEmpty().MaximumLength(MaxNameLength);
        }
    }
}

/// <summary>The longest value of each field of a party that no pattern already bounds (ADR 23).</summary>
public static class PartyFields
{
    public const int Text = 200;
    public const int Phone = 50;
    public const int TaxNumber = 20;
    public const int Iban = 42; // 34 characters with a space after every four
    public const int VatId = 11;
    public const int PostalCode = 5;
    public const int InvoicePrefix = 10;
    public const int State = 2;
    public const int LeitwegId = 46; // 12 digits, 30 letters or digits, 2 check digits, two hyphens
}

[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record OpeningIntervalInput(TimeOnly? Opens, TimeOnly? Closes);

/// <summary>
/// Opening hours in either form of the API: the short one (the same hours on the listed <c>days</c>; members left
/// out take the defaults, Mon–Fri 08:00–18:00) or one list of intervals per weekday (a weekday left out is closed).
/// An unknown member is refused: a misspelt weekday would otherwise be a day left out, so closed.
/// </summary>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record OpeningHoursInput(
    IReadOnlyList<Weekday>? Days,
    TimeOnly? Opens,
    TimeOnly? Closes,
    IReadOnlyList<OpeningIntervalInput?>? Mon = null,
    IReadOnlyList<OpeningIntervalInput?>? Tue = null,
    IReadOnlyList<OpeningIntervalInput?>? Wed = null,
    IReadOnlyList<OpeningIntervalInput?>? Thu = null,
    IReadOnlyList<OpeningIntervalInput?>? Fri = null,
    IReadOnlyList<OpeningIntervalInput?>? Sat = null,
    IReadOnlyList<OpeningIntervalInput?>? Sun = null)
{
    public const int MaxIntervalsPerDay = 8;

    /// <summary>The members of the weekly form, in the order of the week.</summary>
    private static readonly System.Linq.Expressions.Expression<Func<OpeningHoursInput, IEnumerable<OpeningIntervalInput?>>>[] WeekdayMembers =
        [x => x.Mon!, x => x.Tue!, x => x.Wed!, x => x.Thu!, x => x.Fri!, x => x.Sat!, x => x.Sun!];

    private static readonly Func<OpeningHoursInput, IEnumerable<OpeningIntervalInput?>?>[] WeekdayGetters =
        [.. WeekdayMembers.Select(m => m.Compile())];

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsWeekly => WeekdayGetters.Any(get => get(this) is not null);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsShort => Days is not null || Opens is not null || Closes is not null;

    /// <summary>The hours as stored. Call only when valid.</summary>
    public OpeningHours ToTerms() => IsWeekly
        ? OpeningHours.Weekly(day => (WeekdayGetters[(int)day](this) ?? []).Select(i => new OpeningInterval(i!.Opens!.Value, i.Closes!.Value)))
        : OpeningHours.Same(
            Days ?? [Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri],
            Opens ?? OpeningHours.Default.Mon[0].Opens,
            Closes ?? OpeningHours.Default.Mon[0].Closes);

    public sealed class Validator : AbstractValidator<OpeningHoursInput>
    {
        public Validator()
        {
            RuleFor(x => x.Days)
                .Must((x, _) => !(x.IsShort && x.IsWeekly))
                .WithMessage("Give the short form ('days', 'opens', 'closes') or one list of intervals per weekday ('mon' … 'sun'), not both.");
            RuleFor(x => x.Days).MaxItems(7).WithMessage("'days' must not name a day twice.");
            RuleFor(x => x.Days).NotEmpty().When(x => x.Days is not null).WithMessage("'days' must name at least one day.")
                .Must(d => d!.Distinct().Count() == d!.Count).When(x => x.Days is not null).WithMessage("'days' must not name a day twice.");
            RuleFor(x => x)
                .Must(x => (x.Opens ?? OpeningHours.Default.Mon[0].Opens) < (x.Closes ?? OpeningHours.Default.Mon[0].Closes))
                .When(x => !x.IsWeekly)
                .WithMessage("'opens' must be before 'closes'.")
                .OverridePropertyName("closes");

            for (var i = 0; i < WeekdayMembers.Length; i++)
            {
                var (member, get) = (WeekdayMembers[i], WeekdayGetters[i]);
                RuleFor(member)
                    .MaxItems(MaxIntervalsPerDay)
                    .WithMessage($"'{{PropertyName}}' may list at most {MaxIntervalsPerDay} intervals.")
                    .Must(NotOverlap)
                    .WithMessage("'{PropertyName}' has intervals that overlap: each must close before (or when) the next opens.")
                    .When(x => get(x) is not null);
                RuleForEach(member).NotNull().WithMessage("An opening interval must be an object, not null.");
                RuleForEach(member).ChildRules(interval =>
                {
                    interval.RuleFor(i => i!.Opens).NotNull();
                    interval.RuleFor(i => i!.Closes).NotNull();
                    interval.RuleFor(i => i)
                        .Must(i => i!.Opens < i.Closes)
                        .When(i => i!.Opens is not null && i.Closes is not null)
                        .WithMessage("'opens' must be before 'closes' (an interval ends on the day it starts).")
                        .OverridePropertyName("closes");
                }).When((_, interval) => interval is not null);
            }
        }

        private static bool NotOverlap(IEnumerable<OpeningIntervalInput?> intervals)
        {
            var complete = intervals.Where(i => i?.Opens is not null && i.Closes is not null).OrderBy(i => i!.Opens).ToList();
            return complete.Zip(complete.Skip(1)).All(pair => pair.First!.Closes <= pair.Second!.Opens);
        }
    }
}

/// <summary>Members left out keep the value of <c>basis</c>.</summary>
public sealed record KpiSettingsInput(
    int? ServiceLevelSeconds, int? ShortAbandonSeconds, decimal? ServiceLevelTargetPercent, decimal? FirstContactResolutionTargetPercent)
{
    public KpiSettings Over(KpiSettings basis) => new(
        ServiceLevelSeconds ?? basis.ServiceLevelSeconds,
        ShortAbandonSeconds ?? basis.ShortAbandonSeconds,
        ServiceLevelTargetPercent ?? basis.ServiceLevelTargetPercent,
        FirstContactResolutionTargetPercent ?? basis.FirstContactResolutionTargetPercent);

    public sealed class Validator : AbstractValidator<KpiSettingsInput>
    {
        public Validator()
        {
            RuleFor(x => x.ServiceLevelSeconds).InclusiveBetween(1, 3600);
            RuleFor(x => x.ShortAbandonSeconds).InclusiveBetween(0, 600);
            RuleFor(x => x.ServiceLevelTargetPercent).InclusiveBetween(0m, 100m).Must(BeAPercentage).WithMessage(TwoDecimals);
            RuleFor(x => x.FirstContactResolutionTargetPercent).InclusiveBetween(0m, 100m).Must(BeAPercentage).WithMessage(TwoDecimals);
        }

        private const string TwoDecimals = "'{PropertyName}' must have at most two decimals.";

        private static bool BeAPercentage(decimal? value) => value is null || Rules.HasAtMostTwoDecimals(value.Value);
    }
}

/// <summary>Sign a contract: the first event of its stream.</summary>
public sealed record SignContract(
    string? ContractId,
    ProviderInput? Provider,
    ClientInput? Client,
    decimal? AnnualFee,
    DateOnly? StartsOn,
    DateOnly? EndsOn,
    IReadOnlyList<ServiceLineInput>? ServiceLines,
    OpeningHoursInput? OpeningHours,
    IReadOnlyList<DateOnly>? ClosureDays,
    KpiSettingsInput? KpiSettings,
    VatTreatment? Vat,
    int? PaymentTermsDays)
{
    public const int DefaultPaymentTermsDays = 30;

    public const int MaxServiceLines = 50;

    /// <summary>Closure days given at signing; more are added one by one.</summary>
    public const int MaxClosureDays = 1_000;

    /// <summary>The event this command records, with every default filled in. Call only when valid.</summary>
    public ContractSigned ToEvent(string contractId, DateTimeOffset now)
    {
        var p = Provider!;
        var c = Client!;
        return new ContractSigned(
            contractId,
            p.ToProvider(),
            c.ToClient(),
            AnnualFee!.Value,
            StartsOn!.Value,
            EndsOn,
            [.. ServiceLines!.Select(l => new ServiceLineTerms(l.Code!, l.Name!.Trim(), l.From ?? StartsOn.Value))],
            OpeningHours?.ToTerms() ?? Contracts.OpeningHours.Default,
            [.. (ClosureDays ?? []).Order()],
            KpiSettings?.Over(Contracts.KpiSettings.Default) ?? Contracts.KpiSettings.Default,
            Vat ?? VatTreatment.NotSubject,
            PaymentTermsDays ?? DefaultPaymentTermsDays,
            now);
    }

    /// <summary>The federal states by their ISO 3166-2:DE codes.</summary>
    public static readonly IReadOnlySet<string> FederalStates = new HashSet<string>(StringComparer.Ordinal)
    {
        "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST", "SH", "TH",
    };

    public sealed class Validator : AbstractValidator<SignContract>
    {
        public Validator()
        {
            RuleFor(x => x.ContractId).KebabCaseId().When(x => x.ContractId is not null);
            RuleFor(x => x.Provider).NotNull().SetValidator(new ProviderValidator()!);
            RuleFor(x => x.Client).NotNull().SetValidator(new ClientValidator()!);
            RuleFor(x => x.Client!.Id)
                .NotEqual(x => x.Provider!.Id).WithMessage("A municipality cannot be its own client: 'client.id' must differ from 'provider.id'.")
                .When(x => x.Provider?.Id is not null && x.Client?.Id is not null)
                .OverridePropertyName("client.id");
            RuleFor(x => x.Provider!.VatId)
                .NotEmpty().WithMessage("Under 'vat': 'standard' the provider's 'vatId' (or its 'taxNumber') is required: invoices subject to VAT carry it (BR-S-02, BR-DE-16).")
                .When(x => x.Vat == VatTreatment.Standard && x.Provider is not null && string.IsNullOrWhiteSpace(x.Provider.TaxNumber))
                .OverridePropertyName("provider.vatId");

            RuleFor(x => x.AnnualFee).PositiveMoney().LessThan(1_000_000_000m);
            RuleFor(x => x.StartsOn).NotNull().PlausibleDate();
            RuleFor(x => x.EndsOn).PlausibleDate()
                .GreaterThanOrEqualTo(x => x.StartsOn).When(x => x.StartsOn is not null && x.EndsOn is not null)
                .WithMessage("'endsOn' must not be before 'startsOn' (it is the last day the contract covers).");

            RuleFor(x => x.ServiceLines).NotEmpty().WithMessage("A contract needs at least one service line.");
            // A null line is refused by itself; the rules after it look at lines that are there.
            RuleForEach(x => x.ServiceLines).NotNull().WithMessage("A service line must be an object, not null.");
            RuleFor(x => x.ServiceLines).MaxItems(MaxServiceLines);
            RuleForEach(x => x.ServiceLines).SetValidator(new ServiceLineInput.Validator()!);
            RuleForEach(x => x.ServiceLines)
                .Must((command, line) => line?.From is null || command.StartsOn is null || line.From >= command.StartsOn)
                .WithMessage("A service line's 'from' must not be before the contract's 'startsOn'.")
                .Must((command, line) => line?.From is null || command.EndsOn is null || line.From <= command.EndsOn)
                .WithMessage("A service line's 'from' must not be after the contract's 'endsOn'.");
            RuleFor(x => x.ServiceLines)
                .Must(lines => lines!.Where(l => l?.Code is not null).GroupBy(l => l!.Code).All(g => g.Count() == 1))
                .When(x => x.ServiceLines is not null)
                .WithMessage("Service line codes must be unique within a contract.");

            RuleFor(x => x.OpeningHours!).SetValidator(new OpeningHoursInput.Validator()).When(x => x.OpeningHours is not null);
            RuleFor(x => x.ClosureDays).MaxItems(MaxClosureDays);
            RuleFor(x => x.ClosureDays)
                .Must(days => days!.Distinct().Count() == days!.Count).When(x => x.ClosureDays is not null)
                .WithMessage("'closureDays' must not list a day twice.");
            RuleFor(x => x.KpiSettings!).SetValidator(new KpiSettingsInput.Validator()).When(x => x.KpiSettings is not null);
            RuleFor(x => x.PaymentTermsDays).InclusiveBetween(0, 365);
        }
    }

    public sealed class ProviderValidator : AbstractValidator<ProviderInput>
    {
        public ProviderValidator()
        {
            RuleFor(x => x.Id).NotEmpty().KebabCaseId();
            RuleFor(x => x.Name).NotEmpty().MaximumLength(PartyFields.Text);
            RuleFor(x => x.InvoicePrefix).NotEmpty().Matches(@"^[A-Z0-9]{1,10}\z")
                .WithMessage("'invoicePrefix' must be 1–10 upper-case letters or digits (it starts every invoice number).")
                .MaximumLength(PartyFields.InvoicePrefix);
            RuleFor(x => x.Street).NotEmpty().MaximumLength(PartyFields.Text);
            RuleFor(x => x.PostalCode).NotEmpty().Matches(@"^[0-9]{5}\z").WithMessage("'postalCode' must be a German postal code of five digits.")
                .MaximumLength(PartyFields.PostalCode);
            RuleFor(x => x.City).NotEmpty().MaximumLength(PartyFields.Text);
            RuleFor(x => x.Iban).NotEmpty().Must(Iban.IsValid)
                .WithMessage("'iban' is not a valid IBAN (ISO 13616: country, check digits by ISO 7064 MOD 97-10, account).")
                .MaximumLength(PartyFields.Iban);
            RuleFor(x => x.ContactEmail).NotEmpty().EmailAddress().MaximumLength(PartyFields.Text);
            // XRechnung BT-41 and BT-42 are on every invoice (BR-DE-5, BR-DE-6): required here, not found missing at billing.
            RuleFor(x => x.ContactName).NotEmpty().MaximumLength(PartyFields.Text);
            RuleFor(x => x.ContactPhone).NotEmpty().MaximumLength(PartyFields.Phone).Matches(@"^\+?[0-9][0-9 ()/\-]{2,48}[0-9]\z")
                .WithMessage("'contactPhone' must be a telephone number: digits, spaces, '+', '-', '/', '(' and ')'.");
            RuleFor(x => x.TaxNumber).MaximumLength(PartyFields.TaxNumber)
                .Must(t => t is null || (System.Text.RegularExpressions.Regex.IsMatch(t, @"^[0-9]+([ /][0-9]+)*\z") && t.Count(char.IsDigit) is >= 10 and <= 13))
                .WithMessage("'taxNumber' must be a German tax number (Steuernummer): 10 to 13 digits, optionally grouped by '/' or spaces.");
            RuleFor(x => x.VatId).Matches(@"^DE[0-9]{9}\z")
                .WithMessage("'vatId' must be a German VAT identification number: 'DE' and nine digits (it is written into invoices subject to VAT).")
                .MaximumLength(PartyFields.VatId);
        }
    }

    public sealed class ClientValidator : AbstractValidator<ClientInput>
    {
        public ClientValidator()
        {
            RuleFor(x => x.Id).NotEmpty().KebabCaseId();
            RuleFor(x => x.Name).NotEmpty().MaximumLength(PartyFields.Text);
            RuleFor(x => x.State).NotEmpty().Must(s => FederalStates.Contains(s!))
                .WithMessage("'state' must be the code of a German federal state (BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH).")
                .MaximumLength(PartyFields.State);
            RuleFor(x => x.LeitwegId).NotEmpty()
                .Must(LeitwegId.HasValidShape)
                .WithMessage("'leitwegId' must look like 'coarse-fine-check': 2–12 digits, optionally up to 30 letters or digits, then 2 check digits.")
                .Must(LeitwegId.HasValidCheckDigits).When(x => LeitwegId.HasValidShape(x.LeitwegId), ApplyConditionTo.CurrentValidator)
                .WithMessage("'leitwegId' has wrong check digits (ISO 7064 MOD 97-10).")
                .MaximumLength(PartyFields.LeitwegId);
            RuleFor(x => x.Street).NotEmpty().MaximumLength(PartyFields.Text);
            RuleFor(x => x.PostalCode).NotEmpty().Matches(@"^[0-9]{5}\z").WithMessage("'postalCode' must be a German postal code of five digits.")
                .MaximumLength(PartyFields.PostalCode);
            RuleFor(x => x.City).NotEmpty().MaximumLength(PartyFields.Text);
        }
    }
}

public static class SignContractEndpoint
{
    [WolverinePost("/api/contracts")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        SignContract command, HttpContext http, WriteStep step, Billing.BillingLock billingLock, TimeProvider clock, CancellationToken ct)
    {
        var contractId = command.ContractId ?? Guid.NewGuid().ToString("N");
        return ContractAccess.Answer(
            await step.RunAsync(http,
                (write, token) => ContractAccess.ReadForSigningAsync(write, command, contractId, http, clock, billingLock, token),
                s => ContractDecider.Sign(command, s), ct),
            createdOnChange: true);
    }
}
