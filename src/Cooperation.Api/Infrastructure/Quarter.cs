namespace Cooperation.Api.Infrastructure;

/// <summary>A calendar quarter; a call belongs to the quarter in which it was offered, in Berlin time.</summary>
public readonly record struct Quarter(int Year, int Number)
{
    public DateOnly FirstDay => new(Year, ((Number - 1) * 3) + 1, 1);

    public DateOnly LastDay => FirstDay.AddMonths(3).AddDays(-1);

    public int Days => LastDay.DayNumber - FirstDay.DayNumber + 1;

    /// <summary>The first instant of the quarter (midnight in Berlin).</summary>
    public DateTimeOffset Start => Berlin.StartOf(FirstDay);

    /// <summary>The quarter after this one.</summary>
    public Quarter Next => Number == 4 ? new(Year + 1, 1) : new(Year, Number + 1);

    public static Quarter Of(DateOnly day) => new(day.Year, ((day.Month - 1) / 3) + 1);

    public static Quarter Of(DateTimeOffset instant) => Of(Berlin.DateOf(instant));

    /// <summary>"2021-Q1": the key under which a quarter's facts are stored.</summary>
    public override string ToString() => $"{Year}-Q{Number}";
}

public static class Money
{
    /// <summary>
    /// Money and percentages: to two decimals, half away from zero (never to even), and always written with
    /// two decimals (45000.00, not 45000).
    /// </summary>
    public static decimal Round(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero) + 0.00m;

    /// <summary>A sum of amounts, written with two decimals also when there is nothing to add (0.00, not 0).</summary>
    public static decimal Total(IEnumerable<decimal> amounts) => Round(amounts.Sum());
}
