using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Reports;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// The demo contract's telephone traffic from its first day (2 November 2020) to the end of March 2021, two
/// quarters for the reports, drawn from a fixed seed so every demo shows the same data: arrivals peaking in the morning, waits and abandons, a few calls outside opening
/// hours; outcomes, the appointments booked and the referrals handed to Castrop-Rauxel's departments with
/// their answers; a few calls corrected after the fact. The same events the API would record.
/// </summary>
public static class DemoCalls
{
    public static readonly DateOnly First = new(2020, 11, 2);
    public static readonly DateOnly Last = new(2021, 3, 31);
    private static readonly DateOnly OrdnungswesenFrom = new(2021, 1, 1);

    /// <summary>The line is staffed when it is open: Monday to Friday, except NRW's public holidays.</summary>
    private static readonly ServiceCalendar Calendar = new(OpeningHours.Default, [], "NW");
    private const int BatchSize = 500;

    private static readonly string[] Topics =
    [
        "Personalausweis beantragen", "Reisepass", "Wohnsitz ummelden", "Meldebescheinigung", "Führungszeugnis",
        "Anwohnerparkausweis", "Lärmbeschwerde", "Sperrmüll", "Fundsache", "Hundesteuer", "Gewerbeanmeldung", "Briefwahl",
    ];

    private static readonly string[] Departments = ["buergerbuero-backoffice", "ordnungsamt", "standesamt", "steueramt", "gewerbeamt"];

    /// <summary>One stream to start: its key, its aggregate and its events.</summary>
    private sealed record Seed(string Key, Type Aggregate, object[] Events);

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

        var seeds = Generate(pseudonym).ToList();
        var calls = seeds.Count(s => s.Aggregate == typeof(Call));
        for (var start = 0; start < seeds.Count; start += BatchSize)
        {
            await using var session = store.LightweightSession();
            session.LastModifiedBy = DemoData.Actor;
            foreach (var seed in seeds.Skip(start).Take(BatchSize))
            {
                session.Events.StartStream(seed.Aggregate, seed.Key, seed.Events);
            }

            await session.SaveChangesAsync(ct);
            var done = Math.Min(start + BatchSize, seeds.Count);
            if (done == seeds.Count || done / (seeds.Count / 10) != start / (seeds.Count / 10))
            {
                log($"Demo: streams {done}/{seeds.Count}");
            }
        }

        log($"Demo: {calls} calls from {First:yyyy-MM-dd} to {Last:yyyy-MM-dd}, with {seeds.Count(s => s.Aggregate == typeof(Referral))} referrals " +
            $"and {seeds.Count(s => s.Aggregate == typeof(Appointment))} appointments.");
    }

    private static IEnumerable<Seed> Generate(CallerPseudonym pseudonym)
    {
        var random = new Random(20210301);
        var callers = Enumerable.Range(0, 4000).Select(_ => pseudonym.Hash($"+4923{random.Next(10_000_000, 99_999_999)}")).ToArray();
        for (var day = First; day <= Last; day = day.AddDays(1))
        {
            if (!Calendar.IsOpenOn(day))
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
                    var offeredAt = At(day, minute, random.Next(60));
                    foreach (var seed in Call(random, CallId(day, number++), offeredAt, callers[random.Next(callers.Length)]))
                    {
                        yield return seed;
                    }

                    perMinute /= 2;
                }
            }
        }
    }

    private static IEnumerable<Seed> Call(Random random, string callId, DateTimeOffset offeredAt, string callerHash)
    {
        var line = random.NextDouble() < 0.75 || Berlin.DateOf(offeredAt) < OrdnungswesenFrom ? "buergerbuero" : "ordnungswesen";
        var offered = new CallOffered(callId, DemoData.ContractId, line, offeredAt, random.NextDouble() < 0.9 ? callerHash : null);
        var wait = TimeSpan.FromSeconds(Math.Round(-Math.Log(1 - random.NextDouble()) * 22));
        var patience = TimeSpan.FromSeconds(Math.Round(-Math.Log(1 - random.NextDouble()) * 150));
        if (wait > patience)
        {
            yield return new Seed(StreamKeys.Call(callId), typeof(Call), [offered, new CallAbandoned(callId, offeredAt + patience)]);
            yield break;
        }

        var answeredAt = offeredAt + wait;
        var events = new List<object> { offered, new CallAnswered(callId, answeredAt, $"agent-{random.Next(1, 20):00}") };
        if (random.NextDouble() < 0.01)
        {
            // The agent never set an outcome: counts as pending in the reports.
            yield return new Seed(StreamKeys.Call(callId), typeof(Call), [.. events]);
            yield break;
        }

        var completedAt = answeredAt + TimeSpan.FromSeconds(60 + random.Next(420));
        var topic = Topics[random.Next(Topics.Length)];
        var draw = random.NextDouble();
        var outcome = draw < 0.68 ? CallOutcome.Resolved
            : draw < 0.82 ? CallOutcome.AppointmentBooked
            : draw < 0.94 ? CallOutcome.Referred
            : CallOutcome.CallbackPromised;
        var department = outcome.OpensReferral() ? Departments[random.Next(Departments.Length)] : null;
        var referralId = outcome.OpensReferral() ? ReferralAccess.IdFor(callId) : null;
        var appointmentId = outcome == CallOutcome.AppointmentBooked ? $"apt-{callId}" : null;
        events.Add(new CallCompleted(callId, completedAt, outcome, topic, department, referralId, appointmentId));
        if (random.NextDouble() < 0.005)
        {
            events.Add(new CallRecordCorrected(callId, "ACD-Export: Annahmezeit korrigiert", completedAt.AddDays(3),
                answeredAt.AddSeconds(random.Next(1, 20)), null, null, null, null, null));
        }

        yield return new Seed(StreamKeys.Call(callId), typeof(Call), [.. events]);
        if (referralId is not null)
        {
            yield return Referral(random, referralId, new ReferralOpened(referralId, callId, DemoData.ContractId, line, department!, outcome, completedAt));
        }

        if (appointmentId is not null)
        {
            yield return Appointment(random, appointmentId, callId, topic, completedAt);
        }
    }

    /// <summary>Most referrals are taken up within hours and answered within a day or two; some go back, a few stay open.</summary>
    private static Seed Referral(Random random, string referralId, ReferralOpened opened)
    {
        var events = new List<object> { opened };
        var draw = random.NextDouble();
        if (draw < 0.03)
        {
            return new Seed(StreamKeys.Referral(referralId), typeof(Referral), [.. events]);
        }

        var acceptedAt = opened.OpenedAt + TimeSpan.FromMinutes(10 + random.Next(240));
        events.Add(new ReferralAccepted(referralId, acceptedAt));
        events.Add(draw < 0.08
            ? new ReferralReturned(referralId, acceptedAt + TimeSpan.FromMinutes(5 + random.Next(120)), "Nicht zuständig: bitte an das Kreishaus")
            : new ReferralAnswered(referralId, acceptedAt + TimeSpan.FromHours(-Math.Log(1 - random.NextDouble()) * 16)));
        return new Seed(StreamKeys.Referral(referralId), typeof(Referral), [.. events]);
    }

    /// <summary>Appointments a few working days ahead, on the hour or half hour; most attended.</summary>
    private static Seed Appointment(Random random, string appointmentId, string callId, string service, DateTimeOffset bookedAt)
    {
        var day = Berlin.DateOf(bookedAt).AddDays(2 + random.Next(12));
        while (!Calendar.IsOpenOn(day))
        {
            day = day.AddDays(1);
        }

        var startsAt = At(day, 8 * 60 + (30 * random.Next(16)), 0);
        var events = new List<object> { new AppointmentBooked(appointmentId, DemoData.ContractId, callId, service, startsAt, bookedAt) };
        var draw = random.NextDouble();
        if (draw < 0.05)
        {
            events.Add(new AppointmentCancelled(appointmentId, "Bürger hat abgesagt", bookedAt + TimeSpan.FromDays(1)));
        }
        else if (draw < 0.15)
        {
            events.Add(new AppointmentMissed(appointmentId, startsAt + TimeSpan.FromMinutes(30)));
        }
        else if (draw < 0.97)
        {
            events.Add(new AppointmentAttended(appointmentId, startsAt + TimeSpan.FromMinutes(20)));
        }

        return new Seed(StreamKeys.Appointment(appointmentId), typeof(Appointment), [.. events]);
    }

    private static DateTimeOffset At(DateOnly day, int minute, int second)
    {
        var local = day.ToDateTime(new TimeOnly(minute / 60, minute % 60, second));
        return new DateTimeOffset(local, Berlin.Zone.GetUtcOffset(local));
    }

    private static string CallId(DateOnly day, int number) => $"demo-{day:yyyyMMdd}-{number:0000}";
}
