using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// Three weeks of telephone traffic on the demo contract (1–19 March 2021), drawn from a fixed seed so every
/// demo shows the same data: arrivals peaking in the morning, waits and abandons, a few calls outside
/// opening hours. Outcomes, appointments and referrals follow with their features.
/// </summary>
public static class DemoCalls
{
    private static readonly DateOnly First = new(2021, 3, 1);
    private static readonly DateOnly Last = new(2021, 3, 19);
    private const int BatchSize = 250;

    public static async Task SeedAsync(IDocumentStore store, CallerPseudonym pseudonym, Action<string> log, CancellationToken ct = default)
    {
        await using (var probe = store.QuerySession())
        {
            if (await probe.Events.FetchStreamStateAsync(StreamKeys.Call(CallId(First, 0)), ct) is not null)
            {
                log("Demo: calls are already there.");
                return;
            }
        }

        var calls = Generate(pseudonym).ToList();
        for (var start = 0; start < calls.Count; start += BatchSize)
        {
            await using var session = store.LightweightSession();
            session.LastModifiedBy = DemoData.Actor;
            foreach (var events in calls.Skip(start).Take(BatchSize))
            {
                session.Events.StartStream<Call>(StreamKeys.Call(((CallOffered)events[0]).CallId), events);
            }

            await session.SaveChangesAsync(ct);
            log($"Demo: calls {Math.Min(start + BatchSize, calls.Count)}/{calls.Count}");
        }
    }

    private static IEnumerable<object[]> Generate(CallerPseudonym pseudonym)
    {
        var random = new Random(20210301);
        var callers = Enumerable.Range(0, 1500).Select(i => pseudonym.Hash($"+4923{random.Next(10_000_000, 99_999_999)}")).ToArray();
        for (var day = First; day <= Last; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            var number = 0;
            // From 07:50 to 18:10, so that a few calls fall outside the opening hours.
            for (var minute = 7 * 60 + 50; minute < 18 * 60 + 10; minute++)
            {
                var perMinute = minute < 12 * 60 ? 0.45 : 0.25;
                while (random.NextDouble() < perMinute && number < 400)
                {
                    var local = day.ToDateTime(new TimeOnly(minute / 60, minute % 60, random.Next(60)));
                    var offeredAt = new DateTimeOffset(local, Berlin.Zone.GetUtcOffset(local));
                    yield return Call(random, CallId(day, number++), offeredAt, callers[random.Next(callers.Length)]);
                    perMinute /= 2;
                }
            }
        }
    }

    private static object[] Call(Random random, string callId, DateTimeOffset offeredAt, string callerHash)
    {
        var line = random.NextDouble() < 0.75 ? "buergerbuero" : "ordnungswesen";
        var offered = new CallOffered(callId, DemoData.ContractId, line, offeredAt, random.NextDouble() < 0.9 ? callerHash : null);
        var wait = TimeSpan.FromSeconds(Math.Round(-Math.Log(1 - random.NextDouble()) * 22));
        var patience = TimeSpan.FromSeconds(Math.Round(-Math.Log(1 - random.NextDouble()) * 150));
        return wait <= patience
            ? [offered, new CallAnswered(callId, offeredAt + wait, $"agent-{random.Next(1, 20):00}")]
            : [offered, new CallAbandoned(callId, offeredAt + patience)];
    }

    private static string CallId(DateOnly day, int number) => $"demo-{day:yyyyMMdd}-{number:0000}";
}
