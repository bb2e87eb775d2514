using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Benchmarks;

/// <summary>
/// A year's export as a telephony system would send it, drawn from a fixed seed so that a second pass sends
/// exactly the same lines: 400 calls a working day from 08:00, about one in eight abandoned, outcomes in the
/// demo's proportions, nine in ten with the caller's number (E.164 or German national format).
/// </summary>
public static class CallRecords
{
    public const string ServiceLine = "buergerbuero";
    private const int CallsPerDay = 400;
    private static readonly DateOnly FirstDay = new(2021, 1, 4); // a Monday

    private static readonly string[] Topics =
    [
        "Personalausweis beantragen", "Reisepass", "Wohnsitz ummelden", "Meldebescheinigung", "Führungszeugnis",
        "Anwohnerparkausweis", "Lärmbeschwerde", "Sperrmüll", "Fundsache", "Hundesteuer", "Gewerbeanmeldung", "Briefwahl",
    ];

    public static IReadOnlyList<string> Departments { get; } = ["buergerbuero-backoffice", "ordnungsamt", "standesamt", "steueramt", "gewerbeamt"];

    public static IEnumerable<CallRecord> Generate(string contractId, int count)
    {
        var random = new Random(20261128);
        for (var i = 0; i < count; i++)
        {
            var day = FirstDay.AddDays(i / CallsPerDay / 5 * 7 + i / CallsPerDay % 5);
            var number = i % CallsPerDay;
            var offeredAt = At(day, TimeSpan.FromHours(8) + TimeSpan.FromSeconds(number * 90 + random.Next(90)));
            var caller = random.NextDouble() < 0.9 ? Caller(random) : null;
            yield return Call(random, $"cdr-{day:yyyyMMdd}-{number:000}", contractId, ServiceLine, offeredAt, caller, 22, 19);
        }
    }

    /// <summary>
    /// One call after its offer: a wait (exponential, with the mean given) against the caller's patience (exponential,
    /// mean 150 s): abandoned when the patience ran out first, else answered by one of <paramref name="agents"/>, and
    /// then one in a hundred left without an outcome, the others completed 1–8 minutes later in the demo's proportions
    /// (68 % resolved, 14 % appointment booked, 12 % referred, 6 % callback promised; the last two to a department).
    /// </summary>
    public static CallRecord Call(
        Random random, string callId, string contractId, string serviceLine, DateTimeOffset offeredAt, string? caller, double meanWaitSeconds, int agents)
    {
        var wait = TimeSpan.FromSeconds(Math.Round(-Math.Log(1 - random.NextDouble()) * meanWaitSeconds));
        var patience = TimeSpan.FromSeconds(Math.Round(-Math.Log(1 - random.NextDouble()) * 150));
        if (wait > patience)
        {
            return new CallRecord(callId, contractId, serviceLine, offeredAt, null, offeredAt + patience, null, null, null, null, null, caller);
        }

        var answeredAt = offeredAt + wait;
        var agent = $"agent-{random.Next(1, agents + 1):00}";
        if (random.NextDouble() < 0.01)
        {
            // The agent never set an outcome: the export still has the answer.
            return new CallRecord(callId, contractId, serviceLine, offeredAt, answeredAt, null, agent, null, null, null, null, caller);
        }

        var draw = random.NextDouble();
        var outcome = draw < 0.68 ? CallOutcome.Resolved
            : draw < 0.82 ? CallOutcome.AppointmentBooked
            : draw < 0.94 ? CallOutcome.Referred
            : CallOutcome.CallbackPromised;
        return new CallRecord(callId, contractId, serviceLine, offeredAt, answeredAt, null, agent,
            answeredAt + TimeSpan.FromSeconds(60 + random.Next(420)), outcome, Topics[random.Next(Topics.Length)],
            outcome.OpensReferral() ? Departments[random.Next(Departments.Count)] : null, caller);
    }

    /// <summary>A Bochum number in E.164 or a Castrop-Rauxel one as dialled in Germany.</summary>
    public static string Caller(Random random) => random.Next(2) == 0
        ? $"+49234{random.Next(2_000_000, 9_999_999)}"
        : $"02305 {random.Next(20_000, 999_999)}";

    public static DateTimeOffset At(DateOnly day, TimeSpan time)
    {
        var local = day.ToDateTime(TimeOnly.FromTimeSpan(time));
        return new DateTimeOffset(local, Berlin.Zone.GetUtcOffset(local));
    }
}
