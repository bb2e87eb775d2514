using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Reports;

namespace Cooperation.Api.Tests.Reports;

/// <summary>
/// The stored tallies of the report projection (ADR 16): a sum of the calls' contributions that gives exactly the
/// figures of counting the calls, that a changed call leaves by taking out what it added, and a contract change
/// that names from which day on the calls count differently.
/// </summary>
public class TallyTests
{
    private static readonly Contract Demo = Terms.Contract();
    private static readonly ServiceCalendar Calendar = ServiceCalendar.For(Demo);

    private static readonly ReportCall[] Calls =
    [
        Call("2021-03-01T10:00:00+01:00", answerAfter: 12, CallOutcome.Resolved),
        Call("2021-03-01T10:05:00+01:00", answerAfter: 45, CallOutcome.AppointmentBooked) with { AppointmentsBooked = 2 },
        Call("2021-03-01T10:06:00+01:00", answerAfter: 30, CallOutcome.Referred) with
        {
            ReferralOpened = true, ReferralAnsweredAt = Terms.At("2021-03-02T09:00:00+01:00"), Corrected = true,
        },
        Call("2021-03-01T10:07:00+01:00", answerAfter: 3, CallOutcome.CallbackPromised) with { ReferralOpened = true },
        Call("2021-03-01T10:08:00+01:00", answerAfter: 8, outcome: null),
        new("buergerbuero", Terms.At("2021-03-01T10:09:00+01:00"), null, Terms.At("2021-03-01T10:09:09+01:00"), null, null, false),
        new("buergerbuero", Terms.At("2021-03-01T10:10:00+01:00"), null, Terms.At("2021-03-01T10:12:00+01:00"), null, null, true),
        new("buergerbuero", Terms.At("2021-03-01T10:11:00+01:00"), null, null, null, null, false),
        Call("2021-03-01T19:00:00+01:00", answerAfter: 5, CallOutcome.Resolved) with { Corrected = true }, // closed: outside hours
        Call("2021-03-06T10:00:00+01:00", answerAfter: 5, CallOutcome.Resolved), // a Saturday
    ];

    [Fact]
    public void The_sum_of_the_calls_contributions_gives_exactly_the_figures_of_counting_the_calls()
    {
        var counted = Kpis.Count(Calls, Calendar, Demo.KpiSettingsOn, KpiSettings.Default, "buergerbuero");

        var tally = new KpiTally();
        foreach (var call in Calls)
        {
            tally.Add(Contribution.Of(call, Calendar, Demo.KpiSettingsOn));
        }

        Assert.Equal(counted, tally.ToFigures("buergerbuero", KpiSettings.Default));
        Assert.Equal(6, counted.Offered); // five answered and one abandoned inside hours
        Assert.Equal(1, counted.ShortAbandons);
        Assert.Equal(2, counted.OfferedOutsideHours);
        Assert.Equal(1, counted.InQueue);
        Assert.Equal(3, counted.CorrectedCalls);
        Assert.Equal(2, counted.AppointmentsBooked);
    }

    [Fact]
    public void A_changed_call_takes_out_exactly_what_it_added()
    {
        var tally = Kpis.Tally(Calls, Calendar, Demo.KpiSettingsOn);
        var before = Calls[4];
        var after = before with { CompletedAt = before.AnsweredAt!.Value.AddMinutes(3), Outcome = CallOutcome.Resolved, Corrected = true };

        tally.Add(Contribution.Of(before, Calendar, Demo.KpiSettingsOn), -1);
        tally.Add(Contribution.Of(after, Calendar, Demo.KpiSettingsOn));

        var expected = Kpis.Tally([.. Calls.Where(c => c != before), after], Calendar, Demo.KpiSettingsOn);
        Assert.Equal(expected.Counts, tally.Counts);
    }

    [Fact]
    public void Tallies_add_up_like_the_calls_they_count()
    {
        var first = Kpis.Tally(Calls[..4], Calendar, Demo.KpiSettingsOn);
        var rest = Kpis.Tally(Calls[4..], Calendar, Demo.KpiSettingsOn);

        Assert.Equal(Kpis.Tally(Calls, Calendar, Demo.KpiSettingsOn).Counts, KpiTally.Sum([first, rest]).Counts);
        Assert.Throws<ArgumentException>(() => KpiTally.From(new long[3]));
    }

    [Fact]
    public void A_contract_change_reaches_the_calls_from_the_day_it_changes_what_they_contribute()
    {
        var settings = new KpiSettings(20, 5, 80m, 85m);
        var dated = Demo.Apply(new KpiSettingsChanged(Demo.ContractId, settings, new DateOnly(2021, 2, 1), Terms.At("2021-03-01T10:00:00+01:00")));
        var fromStart = Demo.Apply(new KpiSettingsChanged(Demo.ContractId, settings, Demo.StartsOn, Terms.At("2021-03-01T10:00:00+01:00")));
        var fee = Demo.Apply(new FeeAmended(Demo.ContractId, 200_000m, new DateOnly(2021, 1, 1), Terms.At("2021-03-01T10:00:00+01:00")));

        Assert.Equal(new DateOnly(2021, 2, 1), ContractReach.Of(Demo, dated));
        Assert.Equal(DateOnly.MinValue, ContractReach.Of(Demo, fromStart)); // the first period also covers the days before it
        Assert.Null(ContractReach.Of(Demo, fee)); // the fee moves no call's contribution
        Assert.Null(ContractReach.Of(null, Demo)); // a new contract has no calls yet
        Assert.Equal(DateOnly.MinValue, ContractReach.Of(Demo, Demo with { ClosureDays = [new DateOnly(2021, 3, 1)] }));
        // The calendar runs the clock of referrals opened before a change: every quarter is reached.
        var hours = Demo.Apply(new OpeningHoursChanged(Demo.ContractId, OpeningHours.Weekly(_ => []), new DateOnly(2021, 6, 1), Terms.At("2021-03-01T10:00:00+01:00")));
        Assert.Equal(DateOnly.MinValue, ContractReach.Of(Demo, hours));
        Assert.Null(ContractReach.Of(hours, hours.Apply(new OpeningHoursChanged(Demo.ContractId, OpeningHours.Weekly(_ => []), new DateOnly(2021, 6, 1), Terms.At("2021-03-02T10:00:00+01:00")))));
        var closure = Demo.Apply(new ClosureDayAdded(Demo.ContractId, new DateOnly(2021, 3, 2), null, Terms.At("2021-03-01T10:00:00+01:00")));
        Assert.Equal(DateOnly.MinValue, ContractReach.Of(Demo, closure));
        Assert.Equal(DateOnly.MinValue, ContractReach.Of(closure, closure.Apply(new ClosureDayRemoved(Demo.ContractId, new DateOnly(2021, 3, 2), Terms.At("2021-03-01T11:00:00+01:00")))));
    }

    private static ReportCall Call(string offeredAt, double answerAfter, CallOutcome? outcome)
    {
        var offered = Terms.At(offeredAt);
        var answered = offered.AddSeconds(answerAfter);
        return new ReportCall("buergerbuero", offered, answered, null, outcome is null ? null : answered.AddMinutes(4), outcome, false);
    }
}
