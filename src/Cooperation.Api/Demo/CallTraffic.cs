using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Reports;

namespace Cooperation.Api.Demo;

/// <summary>One client contract of the provider, and the calls it gets in a quarter.</summary>
public sealed record TrafficContract(string ContractId, string Client, IReadOnlyList<string> ServiceLines, int Calls);

/// <summary>
/// A call as the telephony system exports it, and what happens to it later: a correction of its record, the
/// department's work on the referral it opened, and the appointment booked in it.
/// </summary>
public sealed record PlannedCall(CallRecord Record, CorrectCall? Correction, ReferralWork? Referral, PlannedAppointment? Appointment);

/// <summary>The client city's department accepts a referral, then answers it or hands it back.</summary>
public sealed record ReferralWork(string ReferralId, string Client, DateTimeOffset AcceptedAt, DateTimeOffset? AnsweredAt, DateTimeOffset? ReturnedAt);

/// <summary>
/// An appointment booked in a call when it was completed (<c>BookedAt</c>), for a working day ahead; then cancelled,
/// attended or missed at <c>OutcomeAt</c> (<c>Outcome</c> <see cref="AppointmentStatus.Booked"/>: nothing recorded).
/// </summary>
public sealed record PlannedAppointment(
    string AppointmentId, string CallId, string Service, DateTimeOffset BookedAt, DateTimeOffset StartsAt, AppointmentStatus Outcome, DateTimeOffset OutcomeAt);

/// <summary>
/// How a run's traffic differs from a plain quarter: the call ids, the days' volume, the staffing, what is worked
/// afterwards. The defaults give the benchmark's even traffic.
/// </summary>
public sealed record TrafficShape
{
    /// <summary>A call's id from its contract, the day it was offered and its number among that day's calls (from 0).</summary>
    public required Func<TrafficContract, DateOnly, int, string> CallId { get; init; }

    /// <summary>
    /// A day's calls relative to an ordinary day of its weekday (1); 0 for a day without calls (before a contract
    /// began). Busier days also wait longer.
    /// </summary>
    public Func<DateOnly, double> Season { get; init; } = _ => 1;

    /// <summary>Every wait times this: below 1 more agents on the phones than the default, above 1 fewer.</summary>
    public double WaitFactor { get; init; } = 1;

    /// <summary>Answering agents are <c>agent-01</c> to this.</summary>
    public int Agents { get; init; } = 40;

    /// <summary>Of the referrals a call opened, the share the client's department works (accepts, then answers or returns).</summary>
    public double WorkedReferralShare { get; init; } = 0.4;

    /// <summary>The last few calls of the quarter are still in the queue when its export is taken.</summary>
    public bool QueueAtExport { get; init; } = true;

    /// <summary>The days appointments are given on.</summary>
    public ServiceCalendar Appointments { get; init; } = new(OpeningHours.Default, [], "NW");
}

/// <summary>
/// A quarter of a provider's telephone traffic for several client contracts, drawn from a seed: the same seed gives
/// the same calls. Each contract's calls are spread over the quarter's days by weekday (Monday heaviest, Friday
/// short, a few on weekends) and the shape's season, and over each day by an hour profile (a morning peak, a lunch
/// dip, a few calls before 08:00 and after 18:00, outside the opening hours); waits are longer when the line is busy;
/// abandons (short ones among them), outcomes and referrals as <see cref="Call"/> draws them; unless the shape says
/// otherwise, the last calls of the quarter before the line closed on its last day are still in the queue when it is
/// exported. One call in 200 is corrected later; the shape's share of the referrals is worked by the client's
/// department (one in twenty of those handed back); appointments booked are mostly attended, some missed or cancelled.
/// Used by the demo and the benchmark.
/// </summary>
public static class CallTraffic
{
    public const double CorrectedShare = 0.005;
    private const int SlotMinutes = 10;
    private static readonly TimeSpan ProfileStart = TimeSpan.FromHours(7);
    private static readonly TimeSpan Opens = TimeSpan.FromHours(8);
    private static readonly TimeSpan Closes = TimeSpan.FromHours(18);

    /// <summary>Relative arrivals per ten minutes from 07:00 to 20:00 (Berlin) on a working day; the line is open from 08:00 to 18:00 (the contracts' hours).</summary>
    private static readonly double[] WorkingDay = Steps(
        (7.0, 0.15), (7 + 50 / 60.0, 0.5), (8.0, 1.6), (9.0, 2.0), (11.0, 1.6), (12.0, 0.9), (13.5, 1.3), (15.0, 1.0),
        (16.0, 0.7), (17.0, 0.5), (18.0, 0.12), (18.5, 0.03), (20.0, 0));

    /// <summary>Friday: the same morning, an afternoon a third as busy.</summary>
    private static readonly double[] Friday = [.. WorkingDay.Select((w, slot) => slot * SlotMinutes >= 6 * 60 ? w * 0.35 : w)];

    /// <summary>A weekend day: a trickle from 09:00 to 13:00, all of it outside the opening hours.</summary>
    private static readonly double[] Weekend = Steps((7.0, 0), (9.0, 1), (13.0, 0), (20.0, 0));

    private static readonly string[] CorrectionReasons =
        ["ACD-Export: Annahmezeit korrigiert", "ACD-Export: Abbruchzeit korrigiert", "Qualitätssicherung: Ergebnis nachgetragen"];

    private static readonly string[] Topics =
    [
        "Personalausweis beantragen", "Reisepass", "Wohnsitz ummelden", "Meldebescheinigung", "Führungszeugnis",
        "Anwohnerparkausweis", "Lärmbeschwerde", "Sperrmüll", "Fundsache", "Hundesteuer", "Gewerbeanmeldung", "Briefwahl",
    ];

    public static IReadOnlyList<string> Departments { get; } = ["buergerbuero-backoffice", "ordnungsamt", "standesamt", "steueramt", "gewerbeamt"];

    /// <summary>The calls of <paramref name="quarter"/>, day by day and within a day by the time they were offered.</summary>
    public static IEnumerable<PlannedCall> Generate(IReadOnlyList<TrafficContract> contracts, Quarter quarter, int seed, TrafficShape shape)
    {
        var random = new Random(seed);
        // Appointments draw from their own sequence, so the calls and their other follow-ups are those of the seed alone.
        var appointments = new Random(unchecked(seed * 31 + 17));
        var days = Enumerable.Range(0, quarter.Days).Select(quarter.FirstDay.AddDays).ToList();
        var perDay = contracts.Select(c => Spread(c.Calls, [.. days.Select(day => Weight(day, shape))])).ToList();
        var lastDay = Enumerable.Range(0, days.Count).Last(d => perDay.Any(counts => counts[d] > 0));
        for (var d = 0; d < days.Count; d++)
        {
            var day = days[d];
            var profile = Profile(day);
            var season = shape.Season(day);
            var offers = contracts
                .SelectMany((contract, c) => Offers(random, profile, perDay[c][d]).Select(at => (At: at, Contract: contract)))
                .OrderBy(o => o.At)
                .ToList();
            // Still waiting when the quarter's export was taken: the last few calls offered before the line closed on its last day.
            var waiting = shape.QueueAtExport && d == lastDay && day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)
                ? offers.Select((o, n) => (o.At, n)).Where(o => o.At >= Opens && o.At < Closes)
                    .TakeLast(Math.Max(3, offers.Count / 500)).Select(o => o.n).ToHashSet()
                : [];
            for (var n = 0; n < offers.Count; n++)
            {
                var (at, contract) = offers[n];
                var slot = (int)(at - ProfileStart).TotalMinutes / SlotMinutes;
                var callId = shape.CallId(contract, day, n);
                var line = contract.ServiceLines.Count == 1 || random.NextDouble() < 0.75 ? contract.ServiceLines[0] : contract.ServiceLines[1];
                var caller = random.NextDouble() < 0.9 ? Caller(random) : null;
                // Waits grow with the load: a mean of 8 s when the line is quiet, 30 s at the morning peak (times the shape's factor).
                var record = Call(random, callId, contract.ContractId, line, Berlin.At(day, TimeOnly.FromTimeSpan(at)), caller,
                    shape.WaitFactor * (8 + 22 * Math.Min(1, season * profile[slot] / 2.0)), shape.Agents);
                if (waiting.Contains(n))
                {
                    yield return new PlannedCall(new CallRecord(callId, contract.ContractId, line, record.OfferedAt, null, null, null, null, null, null, null, caller), null, null, null);
                    continue;
                }

                yield return new PlannedCall(record, random.NextDouble() < CorrectedShare ? Correction(random, record) : null,
                    record.Department is not null && random.NextDouble() < shape.WorkedReferralShare ? Work(random, record, contract.Client) : null,
                    record.Outcome == CallOutcome.AppointmentBooked ? Appointment(appointments, record, shape.Appointments) : null);
            }
        }
    }

    /// <summary>A day's share of the calls: its weekday's, times the shape's season.</summary>
    public static double Weight(DateOnly day, TrafficShape shape) => DayWeight(day) * shape.Season(day);

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

    /// <summary>Each weekday's share of a week's calls: Monday heaviest, Friday short, a few on Saturday, fewer on Sunday.</summary>
    public static double DayWeight(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Monday => 1.35,
        DayOfWeek.Tuesday => 1.1,
        DayOfWeek.Wednesday => 0.9,
        DayOfWeek.Thursday => 1.05,
        DayOfWeek.Friday => 0.6,
        DayOfWeek.Saturday => 0.02,
        _ => 0.01,
    };

    private static double[] Profile(DateOnly day) => day.DayOfWeek switch
    {
        DayOfWeek.Saturday or DayOfWeek.Sunday => Weekend,
        DayOfWeek.Friday => Friday,
        _ => WorkingDay,
    };

    /// <summary>Exactly <paramref name="total"/> spread in proportion to the weights, rounding the running sum.</summary>
    private static int[] Spread(int total, double[] weights)
    {
        var sum = weights.Sum();
        var counts = new int[weights.Length];
        var before = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            counts[i] = (int)Math.Round((before + weights[i]) / sum * total) - (int)Math.Round(before / sum * total);
            before += weights[i];
        }

        return counts;
    }

    /// <summary><paramref name="count"/> offer times of a day, to the second, drawn from its ten-minute profile.</summary>
    private static IEnumerable<TimeSpan> Offers(Random random, double[] profile, int count)
    {
        var cumulative = new double[profile.Length];
        var sum = 0.0;
        for (var i = 0; i < profile.Length; i++)
        {
            cumulative[i] = sum += profile[i];
        }

        for (var i = 0; i < count; i++)
        {
            var slot = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            slot = slot < 0 ? ~slot : slot;
            yield return ProfileStart + TimeSpan.FromSeconds(slot * SlotMinutes * 60 + random.Next(SlotMinutes * 60));
        }
    }

    /// <summary>Ten-minute slots from 07:00 to 20:00, each with the weight of the last step at or before it ((hour, weight), ascending).</summary>
    private static double[] Steps(params (double Hour, double Weight)[] steps) =>
        [.. Enumerable.Range(0, 13 * 60 / SlotMinutes)
            .Select(slot => ProfileStart.TotalHours + slot * SlotMinutes / 60.0)
            .Select(hour => steps.Last(s => s.Hour <= hour + 1e-9).Weight)];

    /// <summary>An answer or abandon reported a few seconds off, or a resolved call that was in truth handed to a department.</summary>
    private static CorrectCall Correction(Random random, CallRecord record)
    {
        if (record.AbandonedAt is { } abandoned)
        {
            return new CorrectCall(CorrectionReasons[1], null, abandoned.AddSeconds(random.Next(1, 30)), null, null, null);
        }

        return record.Outcome == CallOutcome.Resolved && random.NextDouble() < 0.2
            ? new CorrectCall(CorrectionReasons[2], null, null, null, CallOutcome.Referred, Departments[random.Next(Departments.Count)])
            : new CorrectCall(CorrectionReasons[0], record.AnsweredAt!.Value.AddSeconds(random.Next(1, 20)), null, null, null, null);
    }

    /// <summary>Taken up 10 minutes to 4 hours after the call; then answered (hours later, exponential with a mean of 16 h) or, one in twenty, handed back.</summary>
    private static ReferralWork Work(Random random, CallRecord record, string client)
    {
        var acceptedAt = record.CompletedAt!.Value + TimeSpan.FromMinutes(10 + random.Next(230));
        return random.NextDouble() < 0.05
            ? new ReferralWork(ReferralAccess.IdFor(record.CallId!), client, acceptedAt, null, acceptedAt + TimeSpan.FromMinutes(5 + random.Next(120)))
            : new ReferralWork(ReferralAccess.IdFor(record.CallId!), client, acceptedAt,
                acceptedAt + TimeSpan.FromMinutes(Math.Round(-Math.Log(1 - random.NextDouble()) * 16 * 60)), null);
    }

    /// <summary>
    /// On the hour or half hour from 08:00 to 15:30, two to thirteen days ahead (the next day the calendar opens); then
    /// cancelled by the citizen the day after booking (5 %), missed (10 %), attended (82 %), or left as booked.
    /// </summary>
    private static PlannedAppointment Appointment(Random random, CallRecord record, ServiceCalendar calendar)
    {
        var bookedAt = record.CompletedAt!.Value;
        var day = Berlin.DateOf(bookedAt).AddDays(2 + random.Next(12));
        while (!calendar.IsOpenOn(day))
        {
            day = day.AddDays(1);
        }

        var startsAt = Berlin.At(day, new TimeOnly(8, 0).AddMinutes(30 * random.Next(16)));
        var draw = random.NextDouble();
        var (outcome, at) = draw < 0.05 ? (AppointmentStatus.Cancelled, bookedAt + TimeSpan.FromDays(1))
            : draw < 0.15 ? (AppointmentStatus.Missed, startsAt + TimeSpan.FromMinutes(30))
            : draw < 0.97 ? (AppointmentStatus.Attended, startsAt + TimeSpan.FromMinutes(20))
            : (AppointmentStatus.Booked, startsAt);
        return new PlannedAppointment($"apt-{record.CallId}", record.CallId!, record.Topic!, bookedAt, startsAt, outcome, at);
    }
}
