using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Reports;

namespace Cooperation.Api.Tests.Reports;

/// <summary>The KPI rules of domain §2 on hand-made calls: every edge of every threshold.</summary>
public class KpiTests
{
    private static readonly Contract Demo = Terms.Contract();
    private static readonly ServiceCalendar Calendar = ServiceCalendar.For(Demo);
    private const string Monday = "2021-03-01T10:00:00+01:00";

    private static KpiFigures Count(params ReportCall[] calls) => Kpis.Count(calls, Calendar, Demo.KpiSettingsOn, KpiSettings.Default);

    private static ReportCall Answered(double waitSeconds, CallOutcome? outcome = null, string offeredAt = Monday)
    {
        var offered = Terms.At(offeredAt);
        var answered = offered.AddSeconds(waitSeconds);
        return new ReportCall("buergerbuero", offered, answered, null, outcome is null ? null : answered.AddMinutes(4), outcome, false);
    }

    private static ReportCall Abandoned(double waitSeconds, string offeredAt = Monday) =>
        new("buergerbuero", Terms.At(offeredAt), null, Terms.At(offeredAt).AddSeconds(waitSeconds), null, null, false);

    private static ReportCall Referred(string completedAt, string? answeredAt) =>
        Answered(5, CallOutcome.Referred) with
        {
            CompletedAt = Terms.At(completedAt), ReferralOpened = true, ReferralAnsweredAt = answeredAt is null ? null : Terms.At(answeredAt),
        };

    [Fact]
    public void A_quarter_without_calls_has_no_kpis_rather_than_zeros()
    {
        var figures = Count();

        Assert.Equal(0, figures.Offered);
        Assert.Null(figures.ReachabilityPercent);
        Assert.Null(figures.ServiceLevelPercent);
        Assert.Null(figures.AverageSpeedOfAnswerSeconds);
        Assert.Null(figures.FirstContactResolutionPercent);
        Assert.Null(figures.ReferralRatePercent);
        Assert.Null(figures.ReferralsAnsweredWithin24ServiceHoursPercent);
        Assert.Null(figures.ServiceLevelMet);
        Assert.Null(figures.FirstContactResolutionMet);
    }

    [Theory]
    [InlineData(9.999, 1, 0)]
    [InlineData(10, 0, 1)] // a wait of exactly the threshold is not short
    [InlineData(10.001, 0, 1)]
    public void Short_abandons_are_shorter_than_the_threshold(double wait, int shortAbandons, int abandoned)
    {
        var figures = Count(Abandoned(wait));

        Assert.Equal(shortAbandons, figures.ShortAbandons);
        Assert.Equal(abandoned, figures.Abandoned);
        Assert.Equal(abandoned, figures.Offered);
    }

    [Theory]
    [InlineData(30, 1)] // a wait of exactly the threshold is within the service level
    [InlineData(30.001, 0)]
    public void The_service_level_includes_its_threshold(double wait, int within)
    {
        var figures = Count(Answered(wait));

        Assert.Equal(within, figures.AnsweredWithinServiceLevel);
        Assert.Equal(within * 100m, figures.ServiceLevelPercent);
    }

    [Theory]
    [InlineData("2021-03-01T17:59:59+01:00", 1, 0)]
    [InlineData("2021-03-01T18:00:00+01:00", 0, 1)]
    [InlineData("2021-03-01T07:59:59+01:00", 0, 1)]
    [InlineData("2021-03-06T10:00:00+01:00", 0, 1)] // Saturday
    [InlineData("2021-04-02T10:00:00+02:00", 0, 1)] // Good Friday
    [InlineData("2021-06-03T10:00:00+02:00", 0, 1)] // Corpus Christi in NRW
    public void Calls_offered_while_closed_count_only_as_outside_hours(string offeredAt, int answered, int outside)
    {
        var figures = Count(Answered(5, CallOutcome.Resolved, offeredAt));

        Assert.Equal(answered, figures.Answered);
        Assert.Equal(outside, figures.OfferedOutsideHours);
        Assert.Equal(answered, figures.Outcomes.Resolved);
    }

    [Fact]
    public void A_corrected_call_counts_as_corrected_even_outside_hours()
    {
        var figures = Count(Answered(5, offeredAt: "2021-03-06T10:00:00+01:00") with { Corrected = true }, Answered(5) with { Corrected = true });

        Assert.Equal(2, figures.CorrectedCalls);
        Assert.Equal(1, figures.Answered);
    }

    [Fact]
    public void Figures_of_a_small_hand_counted_mix()
    {
        var figures = Count(
            Answered(10, CallOutcome.Resolved),
            Answered(20, CallOutcome.AppointmentBooked) with { AppointmentsBooked = 1 },
            Answered(30, CallOutcome.Referred) with { ReferralOpened = true },
            Answered(41),
            Abandoned(60),
            Abandoned(3),
            new ReportCall("buergerbuero", Terms.At(Monday), null, null, null, null, false));

        Assert.Equal(5, figures.Offered); // 4 answered + 1 abandoned; the short abandon and the waiting call are left out
        Assert.Equal(4, figures.Answered);
        Assert.Equal(1, figures.Abandoned);
        Assert.Equal(1, figures.ShortAbandons);
        Assert.Equal(1, figures.InQueue);
        Assert.Equal(3, figures.AnsweredWithinServiceLevel);
        Assert.Equal(80.00m, figures.ReachabilityPercent);
        Assert.Equal(60.00m, figures.ServiceLevelPercent);
        Assert.Equal(25.25m, figures.AverageSpeedOfAnswerSeconds); // (10 + 20 + 30 + 41) / 4
        Assert.Equal(new OutcomeCounts(1, 1, 1, 0), figures.Outcomes);
        Assert.Equal(1, figures.OutcomePending);
        Assert.Equal(66.67m, figures.FirstContactResolutionPercent); // 2 / 3
        Assert.Equal(33.33m, figures.ReferralRatePercent);
        Assert.Equal(1, figures.ReferralsOpened);
        Assert.Equal(0, figures.ReferralsAnsweredWithin24ServiceHours); // not answered yet
        Assert.Equal(0m, figures.ReferralsAnsweredWithin24ServiceHoursPercent);
        Assert.Equal(1, figures.AppointmentsBooked);
        Assert.False(figures.ServiceLevelMet);
        Assert.False(figures.FirstContactResolutionMet);
    }

    [Theory]
    // Opened Friday 17:30: half an hour on Friday, 10 on Monday, 10 on Tuesday, 3.5 on Wednesday.
    [InlineData("2021-03-05T17:30:00+01:00", "2021-03-10T11:30:00+01:00", 1)]
    [InlineData("2021-03-05T17:30:00+01:00", "2021-03-10T11:30:01+01:00", 0)]
    [InlineData("2021-03-05T17:30:00+01:00", "2021-03-06T23:00:00+01:00", 1)]
    // Opened Friday 17:00 before the clocks go forward: 1 + 10 + 10 + 3 hours.
    [InlineData("2021-03-26T17:00:00+01:00", "2021-03-31T11:00:00+02:00", 1)]
    [InlineData("2021-03-26T17:00:00+01:00", "2021-03-31T11:00:01+02:00", 0)]
    // Opened Thursday before Easter: Good Friday and Easter Monday stop the clock.
    [InlineData("2021-04-01T17:00:00+02:00", "2021-04-08T09:00:00+02:00", 1)]
    [InlineData("2021-04-01T17:00:00+02:00", "2021-04-08T11:00:01+02:00", 0)]
    public void Referrals_answered_within_24_service_hours_count_and_exactly_the_24th_hour_is_within(string openedAt, string answeredAt, int within)
    {
        var figures = Count(Referred(openedAt, answeredAt));

        Assert.Equal(1, figures.ReferralsOpened);
        Assert.Equal(within, figures.ReferralsAnsweredWithin24ServiceHours);
    }

    [Theory]
    [InlineData(3, 4, 75, true)] // exactly the target is met
    [InlineData(14_999, 20_000, 75, false)] // 74.995 % shows as 75.00 but is not met
    [InlineData(0, 1, 0, true)]
    [InlineData(0, 0, 75, null)]
    public void Targets_compare_the_unrounded_share(int part, int whole, int target, bool? met) =>
        Assert.Equal(met, Kpis.Met(part, whole, target));

    [Theory]
    [InlineData(1, 3, "33.33")]
    [InlineData(2, 3, "66.67")]
    [InlineData(1, 160, "0.63")] // 0.625: half away from zero, not to even
    [InlineData(14_999, 20_000, "75.00")]
    public void Percentages_round_half_away_from_zero(int part, int whole, string percent) =>
        Assert.Equal(decimal.Parse(percent, System.Globalization.CultureInfo.InvariantCulture), Kpis.Percent(part, whole));

    [Theory]
    [InlineData("29347.83", 3, "9782.61")]
    [InlineData("45000.00", 7, "6428.57")]
    [InlineData("0.25", 2, "0.13")] // 0.125 rounds away from zero
    public void Per_call_costs_are_rounded_to_the_cent(string fee, int calls, string perCall)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(D(perCall), Kpis.PerCall(D(fee), calls));
        Assert.Null(Kpis.PerCall(D(fee), 0));
    }
}
