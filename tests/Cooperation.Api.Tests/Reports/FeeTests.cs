using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Tests.Reports;

/// <summary>The fee due per quarter (domain §3): pro rata by days, rounded once, half away from zero.</summary>
public class FeeTests
{
    private static decimal D(string value) => decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(2020, 4, "29347.83")] // 45,000 × 60 / 92: the demo contract's first quarter
    [InlineData(2021, 1, "45000.00")]
    [InlineData(2021, 2, "45000.00")]
    [InlineData(2021, 3, "45000.00")]
    [InlineData(2021, 4, "45000.00")]
    [InlineData(2020, 3, "0.00")] // before the term
    public void The_demo_contract(int year, int quarter, string due) =>
        Assert.Equal(D(due), Terms.Contract().FeeDue(new Quarter(year, quarter)));

    [Fact]
    public void The_four_quarters_of_a_full_year_add_up_to_the_annual_fee()
    {
        var contract = Terms.Contract();
        Assert.Equal(180_000m, Enumerable.Range(1, 4).Sum(q => contract.FeeDue(new Quarter(2021, q))));
    }

    [Theory]
    [InlineData("180000.00")]
    [InlineData("123456.76")] // divides into cents by four
    [InlineData("100000.04")]
    public void A_years_quarters_add_up_to_an_annual_fee_that_divides_into_cents_by_four(string annualFee)
    {
        var fee = D(annualFee);
        var contract = Terms.Contract(startsOn: "2021-01-01", annualFee: fee);

        Assert.Equal(fee, Enumerable.Range(1, 4).Sum(q => contract.FeeDue(new Quarter(2021, q))));
        Assert.Equal(fee, contract.FeeDue(2021));
    }

    [Theory]
    [InlineData("100000.01", "25000.00")] // 25,000.0025 a quarter: the year bills 100,000.00
    [InlineData("100000.02", "25000.01")] // 25,000.005 a quarter: the year bills 100,000.04
    public void Each_quarter_is_rounded_on_its_own_as_the_rule_says_even_where_the_year_then_differs_by_cents(string annualFee, string quarterly)
    {
        var contract = Terms.Contract(startsOn: "2021-01-01", annualFee: D(annualFee));

        Assert.All(Enumerable.Range(1, 4), q => Assert.Equal(D(quarterly), contract.FeeDue(new Quarter(2021, q))));
        Assert.Equal(4 * D(quarterly), contract.FeeDue(2021));
    }

    [Fact]
    public void A_change_dated_into_one_quarter_leaves_every_other_quarters_fee_alone()
    {
        var contract = Terms.Contract(startsOn: "2021-01-01", annualFee: 100_000.02m);
        var amended = contract.Apply(new FeeAmended("c", 180_000.10m, new DateOnly(2021, 3, 1), Terms.At("2021-06-01T10:00:00+02:00")))
            .Apply(new FeeAmended("c", 100_000.02m, new DateOnly(2021, 4, 1), Terms.At("2021-06-01T10:00:00+02:00")));

        Assert.NotEqual(contract.FeeDue(new Quarter(2021, 1)), amended.FeeDue(new Quarter(2021, 1)));
        Assert.Equal(contract.FeeDue(new Quarter(2021, 2)), amended.FeeDue(new Quarter(2021, 2)));
    }

    [Fact]
    public void Fee_parts_name_each_stretch_of_days_at_one_fee()
    {
        var contract = Terms.Contract().Apply(new FeeAmended("c", 200_000m, new DateOnly(2021, 5, 1), Terms.At("2021-04-20T10:00:00+02:00")));

        var parts = contract.FeeParts(new Quarter(2021, 2));

        Assert.Equal(2, parts.Count);
        Assert.Equal((new DateOnly(2021, 4, 1), new DateOnly(2021, 4, 30), 180_000m, 30), (parts[0].From, parts[0].To, parts[0].AnnualFee, parts[0].Days));
        Assert.Equal((new DateOnly(2021, 5, 1), new DateOnly(2021, 6, 30), 200_000m, 61), (parts[1].From, parts[1].To, parts[1].AnnualFee, parts[1].Days));
        Assert.Single(contract.FeeParts(new Quarter(2020, 4)), p => p.From == new DateOnly(2020, 11, 2) && p.Days == 60);
        Assert.Empty(contract.FeeParts(new Quarter(2020, 3)));
    }

    [Fact]
    public void An_amendment_on_the_first_of_the_quarters_second_month_splits_it_by_days()
    {
        var contract = Terms.Contract().Apply(new FeeAmended("c", 200_000m, new DateOnly(2021, 5, 1), Terms.At("2021-04-20T10:00:00+02:00")));

        // April: 30 days at 180,000; May and June: 61 days at 200,000; Q2 has 91 days.
        // (180,000 × 30 + 200,000 × 61) / (4 × 91) = 48,351.6483…
        Assert.Equal(48_351.65m, contract.FeeDue(new Quarter(2021, 2)));
        Assert.Equal(45_000.00m, contract.FeeDue(new Quarter(2021, 1)));
        Assert.Equal(50_000.00m, contract.FeeDue(new Quarter(2021, 3)));
    }

    [Fact]
    public void A_termination_mid_quarter_ends_the_fee_on_the_last_day_covered()
    {
        var contract = Terms.Contract().Apply(new ContractTerminated("c", new DateOnly(2021, 8, 15), Terms.At("2021-06-01T10:00:00+02:00")));

        // 1 July – 15 August: 46 of Q3's 92 days.
        Assert.Equal(22_500.00m, contract.FeeDue(new Quarter(2021, 3)));
        Assert.Equal(0m, contract.FeeDue(new Quarter(2021, 4)));
    }

    [Fact]
    public void A_leap_years_first_quarter_has_91_days()
    {
        var contract = Terms.Contract(startsOn: "2024-02-01");

        // 29 days of February and 31 of March: 45,000 × 60 / 91 = 29,670.3296…
        Assert.Equal(29_670.33m, contract.FeeDue(new Quarter(2024, 1)));
        Assert.Equal(91, new Quarter(2024, 1).Days);
    }

    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("0.025", "0.03")] // to even would give 0.02
    [InlineData("-0.025", "-0.03")]
    public void Money_rounds_half_away_from_zero(string value, string rounded) =>
        Assert.Equal(D(rounded), Money.Round(D(value)));
}
