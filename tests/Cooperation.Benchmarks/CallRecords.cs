using Cooperation.Api.Calls;
using Cooperation.Api.Demo;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Benchmarks;

/// <summary>
/// A year's export as a telephony system would send it, drawn from a fixed seed so that a second pass sends
/// exactly the same lines: 400 calls a working day from 08:00, about one in eight abandoned, outcomes in the
/// demo's proportions, nine in ten with the caller's number (E.164 or German national format). Each call is drawn
/// by <see cref="CallTraffic.Call"/>, as the reports' traffic and the demo's are.
/// </summary>
public static class CallRecords
{
    public const string ServiceLine = "buergerbuero";
    private const int CallsPerDay = 400;
    private static readonly DateOnly FirstDay = new(2021, 1, 4); // a Monday

    public static IEnumerable<CallRecord> Generate(string contractId, int count)
    {
        var random = new Random(20261128);
        for (var i = 0; i < count; i++)
        {
            var day = FirstDay.AddDays(i / CallsPerDay / 5 * 7 + i / CallsPerDay % 5);
            var number = i % CallsPerDay;
            var offeredAt = Berlin.At(day, new TimeOnly(8, 0).Add(TimeSpan.FromSeconds(number * 90 + random.Next(90))));
            var caller = random.NextDouble() < 0.9 ? CallTraffic.Caller(random) : null;
            yield return CallTraffic.Call(random, $"cdr-{day:yyyyMMdd}-{number:000}", contractId, ServiceLine, offeredAt, caller, 22, 19);
        }
    }
}
