using System.Runtime.CompilerServices;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Tests.Contracts;

/// <summary>The contract's rules, without a database: given events, when a command (at a fixed time), then events or a problem.</summary>
public class ContractDeciderTests
{
    private const string Id = "bochum-castrop-rauxel";
    private const string Key = "contract:" + Id;
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2021-06-15T10:00:00+02:00", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly Caller Admin = new("admin", null);

    private static DateOnly Day(string day) => DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Provider Bochum =
        new("bochum", "Stadt Bochum", "BO", "Willy-Brandt-Platz 2-6", "44777", "Bochum", "DE02430500010000000000", "servicecenter@bochum.de", "Servicecenter Bochum", "+49 234 910-0");

    private static readonly Client CastropRauxel =
        new("castrop-rauxel", "Stadt Castrop-Rauxel", "NW", "05916004-0001-00", "Europaplatz 1", "44575", "Castrop-Rauxel");

    /// <summary>Signed for 2021 onwards, open end, one line 'buergerbuero', 180,000 a year.</summary>
    private static ContractSigned Signed(DateOnly? endsOn = null) => new(
        Id, Bochum, CastropRauxel, 180_000m, Day("2021-01-01"), endsOn,
        [new ServiceLineTerms("buergerbuero", "Bürgerbüro", Day("2021-01-01"))],
        OpeningHours.Default, [], KpiSettings.Default, VatTreatment.NotSubject, 30, DateTimeOffset.Parse("2020-12-01T10:00:00+01:00", System.Globalization.CultureInfo.InvariantCulture));

    private static QuarterClosed Closed(int year, int quarter) =>
        new(Id, year, quarter, $"inv-{year}-{quarter}", $"BO-{year}-000{quarter}", Now);

    private static ContractSituation Given(params object[] events) => Given(Admin, events);

    private static ContractSituation Given(Caller caller, params object[] events) =>
        new(Id, Aggregates.Fold<Contract>(null, events), caller, Now);

    private static void ThenAppended(Decision decision, params object[] expected)
    {
        Assert.False(decision.IsRefused, decision.ToString());
        var change = Assert.Single(decision.Changes);
        Assert.Equal(Key, change.Key);
        Assert.Equal(expected.Select(e => e.GetType()), change.Events.Select(e => e.GetType()));
        Assert.Equivalent(expected, change.Events, strict: true);
    }

    private static void ThenRefused(Decision decision, int status, string? field, string detail)
    {
        Assert.True(decision.IsRefused, decision.ToString());
        var problem = decision.Problem!;
        Assert.Equal(status, problem.Status);
        Assert.Equal(detail, problem.Detail);
        if (field is null)
        {
            Assert.False(problem.Extensions.ContainsKey(Problems.ErrorsKey));
        }
        else
        {
            var errors = Assert.IsType<Dictionary<string, string[]>>(problem.Extensions[Problems.ErrorsKey]);
            Assert.Equal(field, Assert.Single(errors).Key);
        }
    }

    private static void ThenAlreadyRecorded(Decision decision) => Assert.True(decision.IsRepeat, decision.ToString());

    // ---- Sign ----

    private static SignContract Sign(string prefix = "BO", string clientName = "Stadt Castrop-Rauxel") => new(
        Id,
        new ProviderInput("bochum", " Stadt Bochum ", prefix, "Willy-Brandt-Platz 2-6", "44777", "Bochum", "de02 4305 0001 0000 0000 00", "servicecenter@bochum.de", " Servicecenter Bochum ", "+49 234 910-0"),
        new ClientInput("castrop-rauxel", clientName, "NW", "05916004-0001-00", "Europaplatz 1", "44575", "Castrop-Rauxel"),
        180_000m, Day("2021-01-01"), null, [new ServiceLineInput("buergerbuero", "Bürgerbüro", null)], null, null, null, null, null);

    [Theory]
    [InlineData(null)]
    [InlineData("bochum")]
    [InlineData("castrop-rauxel")]
    public void Sign_starts_the_stream_with_the_terms_and_their_defaults_for_a_party_or_an_unbound_caller(string? municipality)
    {
        var decision = ContractDecider.Sign(Sign(), Given(new Caller("admin", municipality)));

        ThenAppended(decision, Signed() with { SignedAt = Now });
        Assert.Equal(typeof(Contract), decision.Changes[0].Starts);
    }

    [Fact]
    public void Sign_by_a_caller_of_neither_party_is_forbidden()
    {
        var decision = ContractDecider.Sign(Sign(), Given(new Caller("admin", "dortmund")));

        ThenRefused(decision, 403, null, "You act for 'dortmund', which is not party to this contract.");
    }

    [Fact]
    public void Sign_again_with_the_same_terms_later_is_already_recorded_even_after_changes()
    {
        var given = Given(Signed(), new FeeAmended(Id, 200_000m, Day("2021-07-01"), Now)) with { Signed = Signed() };

        ThenAlreadyRecorded(ContractDecider.Sign(Sign(), given));
    }

    [Fact]
    public void Sign_with_a_taken_id_and_other_terms_is_a_conflict()
    {
        var given = Given(Signed()) with { Signed = Signed() };

        ThenRefused(ContractDecider.Sign(Sign(clientName: "Castrop-Rauxel"), given), 409, "contractId", $"A different contract '{Id}' already exists.");
    }

    [Fact]
    public void Sign_with_another_prefix_than_the_providers_other_contracts_is_a_conflict()
    {
        var sibling = Contract.When(null, Signed() with { ContractId = "bochum-herne" });

        var decision = ContractDecider.Sign(Sign(prefix: "BOC"), Given() with { OtherPrefix = sibling });

        ThenRefused(decision, 409, "provider.invoicePrefix",
            "Provider 'bochum' numbers its invoices with 'BO' (contract 'bochum-herne'): one gap-free series per provider needs one prefix.");
    }

    // ---- Every change of an existing contract ----

    public static TheoryData<string> Changes => ["add-line", "remove-line", "amend-fee", "change-kpi", "terminate", "opening-hours", "add-closure-day"];

    private static readonly OpeningHoursInput Mornings = new([Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri], new TimeOnly(8, 0), new TimeOnly(12, 0));

    private static Decision Change(string change, ContractSituation s, string day = "2021-10-01") => change switch
    {
        "add-line" => ContractDecider.AddServiceLine(new AddServiceLine("ordnungswesen", "Ordnungswesen", Day(day)), s),
        "remove-line" => ContractDecider.RemoveServiceLine(new RemoveServiceLine(Day(day)), "buergerbuero", s),
        "amend-fee" => ContractDecider.AmendFee(new AmendFee(200_000m, Day(day)), s),
        "change-kpi" => ContractDecider.ChangeKpiSettings(new ChangeKpiSettings(20, null, null, null, Day(day)), s),
        "terminate" => ContractDecider.Terminate(new TerminateContract(Day(day)), s),
        "opening-hours" => ContractDecider.ChangeOpeningHours(new ChangeOpeningHours(Day(day), Mornings), s),
        "add-closure-day" => ContractDecider.AddClosureDay(new AddClosureDay(Day(day), null), s),
        _ => throw new ArgumentOutOfRangeException(nameof(change)),
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_of_a_contract_that_does_not_exist_is_not_found(string change) =>
        ThenRefused(Change(change, Given()), 404, null, $"There is no contract '{Id}'.");

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_by_a_caller_of_another_municipality_is_not_found_as_if_the_contract_did_not_exist(string change) =>
        ThenRefused(Change(change, Given(new Caller("admin", "dortmund"), Signed())), 404, null, $"There is no contract '{Id}'.");

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_by_a_caller_of_a_party_is_decided(string change) =>
        Assert.Single(Change(change, Given(new Caller("admin", "castrop-rauxel"), Signed())).Changes);

    [Theory]
    [InlineData("add-line", "from")]
    [InlineData("amend-fee", "effectiveFrom")]
    [InlineData("change-kpi", "effectiveFrom")]
    [InlineData("terminate", "endsOn")] // a removal before its line's start is refused by the line's rule first
    [InlineData("opening-hours", "effectiveFrom")]
    [InlineData("add-closure-day", "date")]
    public void A_change_dated_before_the_contracts_start_is_a_conflict(string change, string field) =>
        ThenRefused(Change(change, Given(Signed()), "2020-12-31"), 409, field,
            $"'{field}' (2020-12-31) may not predate the contract's start on 2021-01-01.");

    [Theory]
    [InlineData("add-line", "from")]
    [InlineData("remove-line", "endsOn")]
    [InlineData("amend-fee", "effectiveFrom")]
    [InlineData("change-kpi", "effectiveFrom")]
    [InlineData("terminate", "endsOn")]
    [InlineData("opening-hours", "effectiveFrom")]
    [InlineData("add-closure-day", "date")]
    public void A_change_dated_after_a_fixed_terms_end_is_a_conflict(string change, string field) =>
        ThenRefused(Change(change, Given(Signed(endsOn: Day("2021-12-31"))), "2022-01-01"), 409, field,
            $"'{field}' (2022-01-01) may not follow the contract's end: it ends on 2021-12-31.");

    [Theory]
    [InlineData("add-line", "from")]
    [InlineData("remove-line", "endsOn")]
    [InlineData("amend-fee", "effectiveFrom")]
    [InlineData("change-kpi", "effectiveFrom")]
    [InlineData("opening-hours", "effectiveFrom")]
    [InlineData("add-closure-day", "date")]
    public void A_change_dated_after_the_end_of_a_terminated_contract_says_it_was_terminated(string change, string field) =>
        ThenRefused(Change(change, Given(Signed(), new ContractTerminated(Id, Day("2021-09-30"), Now)), "2021-10-01"), 409, field,
            $"'{field}' (2021-10-01) may not follow the contract's end: it was terminated and ends on 2021-09-30.");

    [Theory]
    [InlineData("2021-01-01", true)] // the start is within the term
    [InlineData("2021-12-31", true)] // so is the last day
    [InlineData("2020-12-31", false)]
    [InlineData("2022-01-01", false)]
    public void A_dated_change_falls_within_the_term_from_its_first_to_its_last_day(string day, bool within) =>
        Assert.Equal(within, ContractDecider.MustFallWithinTerm(Given(Signed(endsOn: Day("2021-12-31"))).Contract!, "f", Day(day)).IsNone());

    // The first day a change alters: the line's or term's day after its end, the other changes' own date.
    [Theory]
    [InlineData("add-line", "2021-06-30", "from")]
    [InlineData("remove-line", "2021-06-29", "endsOn")]
    [InlineData("change-kpi", "2021-06-30", "effectiveFrom")]
    [InlineData("terminate", "2021-06-29", "endsOn")]
    public void A_change_that_takes_effect_in_an_invoiced_quarter_is_a_conflict(string change, string day, string field) =>
        ThenRefused(Change(change, Given(Signed(), Closed(2021, 1), Closed(2021, 2)), day), 409, field,
            "2021-Q2 of this contract is invoiced (BO-2021-0002): a change may take effect from 2021-07-01 on. Cancel the invoice with a credit note to reopen the quarter, or date the change later.");

    [Theory]
    [InlineData("add-line", "2021-07-01")]
    [InlineData("remove-line", "2021-06-30")] // the last day served is the quarter's last: the next quarter changes
    [InlineData("change-kpi", "2021-07-01")]
    [InlineData("terminate", "2021-06-30")]
    [InlineData("amend-fee", "2021-02-01")] // a fee amendment is settled by an adjustment (ADR 12)
    public void A_change_that_takes_effect_after_the_invoiced_quarters_is_decided(string change, string day) =>
        Assert.Single(Change(change, Given(Signed(), Closed(2021, 1), Closed(2021, 2)), day).Changes);

    [Fact]
    public void A_reopened_quarter_takes_changes_again() =>
        Assert.Single(Change("add-line", Given(Signed(), Closed(2021, 2), new QuarterReopened(Id, 2021, 2, "cn-1", "BO-2021-0003", Now)), "2021-05-01").Changes);

    // ---- The service calendar: opening hours and closure days ----

    [Fact]
    public void ChangeOpeningHours_records_the_whole_week_from_its_day() =>
        ThenAppended(ContractDecider.ChangeOpeningHours(new ChangeOpeningHours(Day("2021-07-01"), Mornings), Given(Signed())),
            new OpeningHoursChanged(Id, OpeningHours.Same([Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri], new TimeOnly(8, 0), new TimeOnly(12, 0)), Day("2021-07-01"), Now));

    [Theory]
    [InlineData("2021-07-01", true)] // the period recorded
    [InlineData("2021-06-01", false)] // the same hours from an earlier day are a change of their own
    public void ChangeOpeningHours_repeating_a_period_recorded_is_already_recorded(string day, bool repeat)
    {
        var s = Given(Signed(), new OpeningHoursChanged(Id, Mornings.ToTerms(), Day("2021-07-01"), Now));

        var decision = ContractDecider.ChangeOpeningHours(new ChangeOpeningHours(Day(day), Mornings), s);

        Assert.Equal(repeat, decision.IsRepeat);
    }

    [Fact]
    public void ChangeOpeningHours_to_the_hours_signed_from_the_start_is_already_recorded() =>
        Assert.True(ContractDecider.ChangeOpeningHours(new ChangeOpeningHours(Day("2021-01-01"), new OpeningHoursInput(null, null, null)), Given(Signed())).IsRepeat);

    [Theory]
    [InlineData("2021-04-07", true)] // Q1 2021's last referrals run their clock until 2021-04-07 (Easter closes four days)
    [InlineData("2021-04-08", false)]
    public void A_calendar_change_that_could_move_an_invoiced_quarters_referrals_is_a_conflict(string day, bool refused)
    {
        var s = Given(Signed(), Closed(2021, 1));

        foreach (var decision in new[]
                 {
                     ContractDecider.ChangeOpeningHours(new ChangeOpeningHours(Day(day), Mornings), s),
                     ContractDecider.AddClosureDay(new AddClosureDay(Day(day), "Betriebsausflug"), s),
                 })
        {
            if (refused)
            {
                Assert.True(decision.IsRefused);
                Assert.Equal(409, decision.Problem!.Status);
                Assert.Equal(
                    "2021-Q1 of this contract is invoiced (BO-2021-0001): its figures depend on the opening hours and closure days from 2021-01-01 until its referrals' 24-service-hour clocks have run out, on 2021-04-07. A change of them may take effect from 2021-04-08 on; or cancel the invoice with a credit note to reopen the quarter.",
                    decision.Problem.Detail);
            }
            else
            {
                Assert.Single(decision.Changes);
            }
        }
    }

    [Fact]
    public void A_closure_day_before_an_invoiced_quarter_does_not_reach_it_but_one_inside_a_reopened_quarter_is_decided()
    {
        var s = Given(Signed(), Closed(2021, 1), Closed(2021, 2), new QuarterReopened(Id, 2021, 1, "cn-1", "BO-2021-0003", Now));

        Assert.Single(ContractDecider.AddClosureDay(new AddClosureDay(Day("2021-02-01"), null), s).Changes);
        Assert.True(ContractDecider.AddClosureDay(new AddClosureDay(Day("2021-05-03"), null), s).IsRefused);
    }

    [Fact]
    public void Opening_hours_changed_for_an_earlier_day_apply_until_the_later_change()
    {
        var afternoons = OpeningHours.Same([Weekday.Mon], new TimeOnly(13, 0), new TimeOnly(17, 0));
        var contract = Given(Signed(),
            new OpeningHoursChanged(Id, Mornings.ToTerms(), Day("2021-07-01"), Now),
            new OpeningHoursChanged(Id, afternoons, Day("2021-05-01"), Now)).Contract!;

        Assert.Equal(OpeningHours.Default, contract.OpeningHoursOn(Day("2021-04-30")));
        Assert.Equal(afternoons, contract.OpeningHoursOn(Day("2021-06-30")));
        Assert.Equal(Mornings.ToTerms(), contract.OpeningHoursOn(Day("2021-07-01")));
        Assert.Equal([Day("2021-01-01"), Day("2021-05-01"), Day("2021-07-01")], contract.OpeningHoursPeriods.Select(p => p.EffectiveFrom));
    }

    [Fact]
    public void ChangeOpeningHours_to_the_hours_in_force_that_day_is_already_recorded() =>
        Assert.True(ContractDecider.ChangeOpeningHours(
            new ChangeOpeningHours(Day("2021-07-01"), new OpeningHoursInput(null, null, null, Mon: [new OpeningIntervalInput(new TimeOnly(8, 0), new TimeOnly(12, 0)), new OpeningIntervalInput(new TimeOnly(12, 0), new TimeOnly(18, 0))],
                Tue: [new(new TimeOnly(8, 0), new TimeOnly(18, 0))], Wed: [new(new TimeOnly(8, 0), new TimeOnly(18, 0))], Thu: [new(new TimeOnly(8, 0), new TimeOnly(18, 0))], Fri: [new(new TimeOnly(8, 0), new TimeOnly(18, 0))])),
            Given(Signed())).IsRepeat);

    [Fact]
    public void A_referral_opened_after_an_invoiced_quarters_end_holds_the_calendar_until_its_clock_ran_out()
    {
        var s = Given(Signed(), Closed(2021, 1)) with
        {
            LateReferrals = new Dictionary<Quarter, DateTimeOffset> { [new Quarter(2021, 1)] = DateTimeOffset.Parse("2021-04-12T09:00:00+02:00", System.Globalization.CultureInfo.InvariantCulture) },
        };

        Assert.True(ContractDecider.AddClosureDay(new AddClosureDay(Day("2021-04-14"), null), s).IsRefused);
        Assert.Single(ContractDecider.AddClosureDay(new AddClosureDay(Day("2021-04-15"), null), s).Changes);
    }

    [Fact]
    public void AddClosureDay_records_the_day_and_its_reason_trimmed() =>
        ThenAppended(ContractDecider.AddClosureDay(new AddClosureDay(Day("2021-07-02"), " Personalversammlung "), Given(Signed())),
            new ClosureDayAdded(Id, Day("2021-07-02"), "Personalversammlung", Now));

    [Theory]
    [InlineData("Personalversammlung", null)]
    [InlineData("Betriebsausflug", "2021-07-02 is already a closure day ('Personalversammlung'): remove it first to give it another reason.")]
    [InlineData(null, "2021-07-02 is already a closure day ('Personalversammlung'): remove it first to give it another reason.")]
    public void AddClosureDay_again_is_already_recorded_with_the_same_reason_and_a_conflict_with_another(string? reason, string? conflict)
    {
        var s = Given(Signed(), new ClosureDayAdded(Id, Day("2021-07-02"), "Personalversammlung", Now));

        var decision = ContractDecider.AddClosureDay(new AddClosureDay(Day("2021-07-02"), reason), s);

        if (conflict is null)
        {
            Assert.True(decision.IsRepeat);
        }
        else
        {
            ThenRefused(decision, 409, "reason", conflict);
        }
    }

    [Fact]
    public void RemoveClosureDay_removes_a_listed_day_is_done_when_repeated_and_unknown_for_a_day_never_listed()
    {
        var listed = Given(Signed(), new ClosureDayAdded(Id, Day("2021-07-02"), "Personalversammlung", Now));
        var removed = Given(Signed(), new ClosureDayAdded(Id, Day("2021-07-02"), "Personalversammlung", Now), new ClosureDayRemoved(Id, Day("2021-07-02"), Now));

        ThenAppended(ContractDecider.RemoveClosureDay(Day("2021-07-02"), listed), new ClosureDayRemoved(Id, Day("2021-07-02"), Now));
        Assert.True(ContractDecider.RemoveClosureDay(Day("2021-07-02"), removed).IsRepeat);
        ThenRefused(ContractDecider.RemoveClosureDay(Day("2021-07-05"), removed), 404, "date", "2021-07-05 is not a closure day of contract 'bochum-castrop-rauxel'.");
        Assert.Empty(removed.Contract!.ClosureDays);
        Assert.Empty(removed.Contract.ClosureReasons);
    }

    // ---- AddServiceLine ----

    [Fact]
    public void AddServiceLine_adds_the_line_with_its_name_trimmed() =>
        ThenAppended(ContractDecider.AddServiceLine(new AddServiceLine("ordnungswesen", " Ordnungswesen ", Day("2021-07-01")), Given(Signed())),
            new ServiceLineAdded(Id, "ordnungswesen", "Ordnungswesen", Day("2021-07-01"), Now));

    [Fact]
    public void AddServiceLine_repeating_the_active_line_is_already_recorded() =>
        ThenAlreadyRecorded(ContractDecider.AddServiceLine(new AddServiceLine("buergerbuero", "Bürgerbüro ", Day("2021-01-01")), Given(Signed(), Closed(2021, 1))));

    [Theory]
    [InlineData("Bürgerbüro Mitte", "2021-01-01")]
    [InlineData("Bürgerbüro", "2021-07-01")]
    public void AddServiceLine_with_the_code_of_an_active_line_and_other_terms_is_a_conflict(string name, string from) =>
        ThenRefused(ContractDecider.AddServiceLine(new AddServiceLine("buergerbuero", name, Day(from)), Given(Signed())), 409, "code",
            "Service line 'buergerbuero' already exists on this contract (from 2021-01-01).");

    [Theory]
    [InlineData("2021-08-31", false)]
    [InlineData("2021-09-01", true)]
    public void AddServiceLine_starts_a_removed_line_again_only_after_its_last_day_served(string from, bool added)
    {
        var decision = ContractDecider.AddServiceLine(new AddServiceLine("buergerbuero", "Bürgerbüro", Day(from)),
            Given(Signed(), new ServiceLineRemoved(Id, "buergerbuero", Day("2021-08-31"), Now)));

        if (added)
        {
            ThenAppended(decision, new ServiceLineAdded(Id, "buergerbuero", "Bürgerbüro", Day(from), Now));
        }
        else
        {
            ThenRefused(decision, 409, "from", "Service line 'buergerbuero' was served until 2021-08-31; it can start again only after that.");
        }
    }

    // ---- RemoveServiceLine ----

    [Fact]
    public void RemoveServiceLine_ends_the_line_on_its_last_day_served() =>
        ThenAppended(ContractDecider.RemoveServiceLine(new RemoveServiceLine(Day("2021-08-31")), "buergerbuero", Given(Signed())),
            new ServiceLineRemoved(Id, "buergerbuero", Day("2021-08-31"), Now));

    [Fact]
    public void RemoveServiceLine_of_a_line_the_contract_never_had_is_not_found() =>
        ThenRefused(ContractDecider.RemoveServiceLine(new RemoveServiceLine(Day("2021-08-31")), "ordnungswesen", Given(Signed())), 404, null,
            $"Contract '{Id}' has no service line 'ordnungswesen'.");

    [Theory]
    [InlineData("2021-08-31", null)]
    [InlineData("2021-09-30", "Service line 'buergerbuero' was already removed: it was served until 2021-08-31.")]
    public void RemoveServiceLine_again_is_already_recorded_with_the_same_day_and_a_conflict_with_another(string endsOn, string? conflict)
    {
        // After the quarter of its end was invoiced: a repeat is still answered as recorded.
        var given = Given(Signed(), new ServiceLineRemoved(Id, "buergerbuero", Day("2021-08-31"), Now), Closed(2021, 3));

        var decision = ContractDecider.RemoveServiceLine(new RemoveServiceLine(Day(endsOn)), "buergerbuero", given);

        if (conflict is null)
        {
            ThenAlreadyRecorded(decision);
        }
        else
        {
            ThenRefused(decision, 409, "endsOn", conflict);
        }
    }

    [Fact]
    public void RemoveServiceLine_before_the_line_started_is_a_conflict() =>
        ThenRefused(ContractDecider.RemoveServiceLine(new RemoveServiceLine(Day("2021-06-30")), "ordnungswesen",
                Given(Signed(), new ServiceLineAdded(Id, "ordnungswesen", "Ordnungswesen", Day("2021-07-01"), Now))), 409, "endsOn",
            "'endsOn' (2021-06-30) may not precede the day service line 'ordnungswesen' started (2021-07-01).");

    [Fact]
    public void RemoveServiceLine_ends_the_line_that_was_started_again() =>
        ThenAppended(ContractDecider.RemoveServiceLine(new RemoveServiceLine(Day("2021-12-31")), "buergerbuero",
                Given(Signed(), new ServiceLineRemoved(Id, "buergerbuero", Day("2021-03-31"), Now),
                    new ServiceLineAdded(Id, "buergerbuero", "Bürgerbüro", Day("2021-07-01"), Now))),
            new ServiceLineRemoved(Id, "buergerbuero", Day("2021-12-31"), Now));

    // ---- AmendFee ----

    [Fact]
    public void AmendFee_records_the_new_fee_from_its_day() =>
        ThenAppended(ContractDecider.AmendFee(new AmendFee(200_000m, Day("2021-07-01")), Given(Signed())),
            new FeeAmended(Id, 200_000m, Day("2021-07-01"), Now));

    [Theory]
    [InlineData("180000", "2021-01-01")] // the fee signed
    [InlineData("200000", "2021-07-01")] // the fee amended
    public void AmendFee_repeating_a_fee_period_recorded_is_already_recorded(string fee, string from) =>
        ThenAlreadyRecorded(ContractDecider.AmendFee(new AmendFee(decimal.Parse(fee, System.Globalization.CultureInfo.InvariantCulture), Day(from)),
            Given(Signed(), new FeeAmended(Id, 200_000m, Day("2021-07-01"), Now))));

    [Fact]
    public void AmendFee_of_a_day_with_another_fee_recorded_replaces_it() =>
        ThenAppended(ContractDecider.AmendFee(new AmendFee(210_000m, Day("2021-07-01")), Given(Signed(), new FeeAmended(Id, 200_000m, Day("2021-07-01"), Now))),
            new FeeAmended(Id, 210_000m, Day("2021-07-01"), Now));

    // ---- ChangeKpiSettings ----

    [Fact]
    public void ChangeKpiSettings_keeps_the_settings_left_out_as_they_are_in_force_on_its_day()
    {
        var given = Given(Signed(), new KpiSettingsChanged(Id, KpiSettings.Default with { ShortAbandonSeconds = 5 }, Day("2021-04-01"), Now));

        ThenAppended(ContractDecider.ChangeKpiSettings(new ChangeKpiSettings(20, null, 90m, null, Day("2021-07-01")), given),
            new KpiSettingsChanged(Id, new KpiSettings(20, 5, 90m, 80m), Day("2021-07-01"), Now));
    }

    [Fact]
    public void ChangeKpiSettings_repeating_the_settings_recorded_for_the_day_is_already_recorded_even_in_an_invoiced_quarter()
    {
        var given = Given(Signed(), new KpiSettingsChanged(Id, KpiSettings.Default with { ServiceLevelSeconds = 20 }, Day("2021-04-01"), Now), Closed(2021, 2));

        ThenAlreadyRecorded(ContractDecider.ChangeKpiSettings(new ChangeKpiSettings(20, 10, null, null, Day("2021-04-01")), given));
    }

    // ---- Terminate ----

    [Fact]
    public void Terminate_ends_the_contract_on_its_last_day() =>
        ThenAppended(ContractDecider.Terminate(new TerminateContract(Day("2021-12-31")), Given(Signed())),
            new ContractTerminated(Id, Day("2021-12-31"), Now));

    [Fact]
    public void Terminate_shortens_a_fixed_term() =>
        ThenAppended(ContractDecider.Terminate(new TerminateContract(Day("2021-09-30")), Given(Signed(endsOn: Day("2021-12-31")))),
            new ContractTerminated(Id, Day("2021-09-30"), Now));

    [Theory]
    [InlineData("2021-12-31", null)]
    [InlineData("2021-11-30", "The contract is already terminated: it ends on 2021-12-31.")]
    public void Terminate_again_is_already_recorded_with_the_same_day_and_a_conflict_with_another(string endsOn, string? conflict)
    {
        var decision = ContractDecider.Terminate(new TerminateContract(Day(endsOn)), Given(Signed(), new ContractTerminated(Id, Day("2021-12-31"), Now)));

        if (conflict is null)
        {
            ThenAlreadyRecorded(decision);
        }
        else
        {
            ThenRefused(decision, 409, "endsOn", conflict);
        }
    }

    // ---- The fold ----

    [Fact]
    public void When_has_a_rule_for_every_event_of_the_stream()
    {
        var types = Aggregates.EventTypesOf<Contract>();
        Assert.Equal(
            ["ClosureDayAdded", "ClosureDayRemoved", "ContractSigned", "ContractTerminated", "FeeAmended", "KpiSettingsChanged", "OpeningHoursChanged", "PartyChanged", "QuarterClosed", "QuarterReopened", "ServiceLineAdded", "ServiceLineRemoved"],
            types.Select(t => t.Name));

        var signed = Given(Signed()).Contract;
        foreach (var type in types)
        {
            var e = RuntimeHelpers.GetUninitializedObject(type);
            // An empty event may fail on its missing values, but never for want of a rule.
            var thrown = Record.Exception(() => Contract.When(type == typeof(ContractSigned) ? null : signed, e));
            Assert.False(thrown is UnknownEventException, $"{type.Name}: {thrown?.Message}");
        }
    }

    [Theory]
    [InlineData(false, typeof(FeeAmended))] // nothing before the signing
    [InlineData(true, typeof(ContractSigned))] // and no second signing
    [InlineData(true, typeof(object))] // nor anything else
    public void When_refuses_an_event_out_of_place(bool signed, Type type) =>
        Assert.Throws<UnknownEventException>(() => Contract.When(signed ? Given(Signed()).Contract : null, RuntimeHelpers.GetUninitializedObject(type)));

    [Fact]
    public void The_fold_counts_versions_and_keeps_the_closed_quarters_that_were_not_reopened()
    {
        var contract = Given(Signed(), Closed(2021, 1), Closed(2021, 2), new QuarterReopened(Id, 2021, 1, "cn-1", "BO-2021-0003", Now)).Contract!;

        Assert.Equal(4, contract.Version);
        Assert.Equal([new ClosedQuarter(2021, 2, "inv-2021-2", "BO-2021-0002") { ClosedAt = Now }], contract.ClosedQuarters);
    }

    [Fact]
    public void The_answer_to_a_change_is_the_contract_after_it_at_the_next_version()
    {
        var before = Given(Signed()).Contract;
        var decision = ContractDecider.Terminate(new TerminateContract(Day("2021-12-31")), Given(Signed()));

        var after = decision.After(before, Key)!;

        Assert.Equal((2L, ContractStatus.Terminated, Day("2021-12-31")), (after.Version, after.Status, after.EndsOn));
    }
}
