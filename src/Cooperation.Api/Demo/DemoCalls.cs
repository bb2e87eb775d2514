using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Reports;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// The demo contract's telephone traffic, from its first day (2 November 2020) to the end of the last quarter that
/// has ended, drawn by <see cref="CallTraffic"/> from a fixed seed per quarter so every demo shows the same data:
/// about 30,000 calls a year, busier in January and in the weeks before NRW's summer holidays (passports and ID
/// cards), quieter in August and between Christmas and New Year; a few calls on holidays and weekends, when the line
/// is closed. The service centre meets the service level (75 % within 30 s) in every quarter but
/// <see cref="ShortStaffed"/>, when it was short of agents. Each quarter's export goes through the bulk import
/// (<see cref="CallImport"/>, the path of <c>POST /api/calls/batch</c>); what happens afterwards — the
/// departments' work on the referrals, the appointments booked in the calls and whether they were kept, a few
/// corrected records — through the deciders (<see cref="DemoWrites"/>), in one transaction per quarter.
/// </summary>
public static class DemoCalls
{
    /// <summary>The quarter of the Omicron wave: a third of the agents off sick, waits almost twice as long.</summary>
    public static readonly Quarter ShortStaffed = new(2022, 1);

    /// <summary>Calls in an ordinary week (without the season) of 2021, both lines; Q4 2020 had the Bürgerbüro only (three quarters).</summary>
    private const double CallsPerWeek = 560;

    /// <summary>Calls grow by this much a year from 2021.</summary>
    private const double GrowthPerYear = 0.02;

    /// <summary>Waits relative to <see cref="CallTraffic"/>'s own: a service level of about 80 % as staffed, about 57 % short of agents.</summary>
    private const double Staffed = 0.72;

    private const double ShortOfAgents = 1.35;

    /// <summary>NRW's summer school holidays, first and last day; in other years mid-July to late August.</summary>
    private static readonly Dictionary<int, (DateOnly First, DateOnly Last)> SummerHolidays = new()
    {
        [2021] = (new(2021, 7, 5), new(2021, 8, 17)),
        [2022] = (new(2022, 6, 27), new(2022, 8, 9)),
        [2023] = (new(2023, 6, 22), new(2023, 8, 4)),
        [2024] = (new(2024, 7, 8), new(2024, 8, 20)),
        [2025] = (new(2025, 7, 14), new(2025, 8, 26)),
        [2026] = (new(2026, 7, 20), new(2026, 9, 1)),
    };

    /// <summary>Relative calls by month, January first: the new year's passports and ID cards, a quiet August and December.</summary>
    private static readonly double[] Months = [1.3, 1.15, 1.05, 1.0, 1.05, 1.1, 1.0, 0.8, 0.95, 0.95, 0.95, 0.85];

    /// <summary>The line's calendar (NRW's holidays) and the days appointments are given on.</summary>
    private static readonly ServiceCalendar Calendar = new(OpeningHours.Default, [], "NW");

    /// <summary>The service centre reports the calls; Castrop-Rauxel's departments work the referrals.</summary>
    private static readonly Caller ServiceCentre = new(DemoData.Actor, "bochum");

    private static readonly Caller Department = new(DemoData.Actor, "castrop-rauxel");

    /// <summary>Quarters seeded at once: with two, both cores are busy (measured: three were no faster).</summary>
    private const int Writers = 2;

    private const string CancelReason = "Bürger hat abgesagt";
    private const string ReturnReason = "Nicht zuständig: bitte an das Kreishaus";

    private static DateOnly First => DemoData.Contract.StartsOn!.Value;

    /// <summary>The quarters with traffic: from the contract's first to the last that has ended by <paramref name="today"/>.</summary>
    private static IEnumerable<Quarter> Quarters(DateOnly today)
    {
        for (var quarter = Quarter.Of(First); quarter.LastDay < today; quarter = quarter.Next)
        {
            yield return quarter;
        }
    }

    /// <summary>A day's calls relative to an ordinary day of its weekday; none before the contract's start.</summary>
    private static double Season(DateOnly day)
    {
        if (day < First)
        {
            return 0;
        }

        if (Calendar.IsHoliday(day))
        {
            return 0.02; // closed: a few who did not know
        }

        if (day.Month == 12 && day.Day >= 21)
        {
            return 0.5;
        }

        var (first, last) = SummerHolidays.GetValueOrDefault(day.Year, (new(day.Year, 7, 10), new(day.Year, 8, 22)));
        return day >= first.AddDays(-28) && day < first ? 1.3
            : day >= first && day <= last ? 0.8
            : Months[day.Month - 1];
    }

    /// <summary>The demo's quarter: its contract's lines and calls, and how it was staffed.</summary>
    private static (TrafficContract Contract, TrafficShape Shape) Plan(Quarter quarter)
    {
        var shape = new TrafficShape
        {
            CallId = (_, day, n) => $"demo-{day:yyyyMMdd}-{n:0000}",
            Season = Season,
            WaitFactor = quarter == ShortStaffed ? ShortOfAgents : Staffed,
            Agents = 19,
            WorkedReferralShare = 0.97,
            QueueAtExport = false, // the quarters are long over: every call was answered or abandoned
            Appointments = Calendar,
        };
        var bothLines = quarter.FirstDay >= DemoData.Ordnungswesen.From;
        var weight = Enumerable.Range(0, quarter.Days).Sum(d => CallTraffic.Weight(quarter.FirstDay.AddDays(d), shape));
        var perWeek = CallsPerWeek * Math.Pow(1 + GrowthPerYear, Math.Max(0, quarter.Year - 2021)) * (bothLines ? 1 : 0.75);
        var week = Enumerable.Range(0, 7).Sum(d => CallTraffic.DayWeight(quarter.FirstDay.AddDays(d)));
        var calls = (int)Math.Round(weight / week * perWeek);
        string[] lines = bothLines ? ["buergerbuero", DemoData.Ordnungswesen.Code!] : ["buergerbuero"];
        return (new TrafficContract(DemoData.ContractId, DemoData.Contract.Client!.Id!, lines, calls), shape);
    }

    public static async Task SeedAsync(IDocumentStore store, CallImport import, TimeProvider clock, Action<string> log, CancellationToken ct = default)
    {
        Contract contract;
        await using (var query = store.QuerySession())
        {
            contract = await query.LoadAsync<Contract>(StreamKeys.Contract(DemoData.ContractId), ct)
                ?? throw new InvalidOperationException($"The demo's calls need the contract '{DemoData.ContractId}' first.");
        }

        var quarters = Quarters(Berlin.Today(clock)).ToList();
        var progress = new Progress(quarters, log);
        // Quarters share no stream: two at a time, one is decided while the database copies the other.
        await Parallel.ForEachAsync(quarters, new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, async (quarter, token) =>
            progress.Done(quarter, await SeedAsync(store, import, contract, quarter, clock, token)));
        progress.Finish();
    }

    /// <summary>One quarter's calls and follow-ups; null when they are there already.</summary>
    private static async Task<Seeded?> SeedAsync(IDocumentStore store, CallImport import, Contract contract, Quarter quarter, TimeProvider clock, CancellationToken ct)
    {
        var (client, shape) = Plan(quarter);
        var planned = CallTraffic.Generate([client], quarter, 20210301 + quarter.Year * 10 + quarter.Number, shape).ToList();
        if (await IsThereAsync(store, planned, ct))
        {
            return null;
        }

        var correlationId = $"{DemoData.Actor}-calls-{quarter}";
        var imported = await ImportAsync(import, planned, correlationId, ct);
        if (imported.RejectedCount > 0)
        {
            throw new InvalidOperationException($"The import refused {imported.RejectedCount} of the demo's calls of {quarter}, e.g. " +
                string.Join("; ", imported.Rejected.Take(3).Select(r => $"{r.CallId}: {string.Join(", ", r.Errors.SelectMany(e => e.Value))}")));
        }

        return await FollowUpsAsync(store, contract, planned, clock.GetUtcNow(), correlationId, ct);
    }

    /// <summary>A quarter is done when its first appointment (written with its follow-ups, after its import) is there.</summary>
    private static async Task<bool> IsThereAsync(IDocumentStore store, List<PlannedCall> planned, CancellationToken ct)
    {
        var marker = planned.Select(p => p.Appointment).FirstOrDefault(a => a is not null) is { } appointment
            ? StreamKeys.Appointment(appointment.AppointmentId)
            : StreamKeys.Call(planned[^1].Record.CallId!);
        await using var query = store.QuerySession();
        return await query.Events.FetchStreamStateAsync(marker, ct) is not null;
    }

    /// <summary>The quarter's export through the bulk import, streamed as NDJSON as the telephony system sends it.</summary>
    private static async Task<BatchResult> ImportAsync(CallImport import, List<PlannedCall> planned, string correlationId, CancellationToken ct)
    {
        var pipe = new Pipe();
        var sending = SendAsync(pipe.Writer, planned, ct);
        try
        {
            return await import.RunAsync(pipe.Reader, ServiceCentre, correlationId, ct);
        }
        finally
        {
            await pipe.Reader.CompleteAsync();
            await sending;
        }
    }

    private static async Task SendAsync(PipeWriter body, List<PlannedCall> planned, CancellationToken ct)
    {
        try
        {
            for (var i = 0; i < planned.Count; i++)
            {
                body.Write(JsonSerializer.SerializeToUtf8Bytes(planned[i].Record, ApiJson.Options));
                body.Write("\n"u8);
                if (i % 200 == 199 && (await body.FlushAsync(ct)).IsCompleted)
                {
                    return; // the import stopped reading
                }
            }
        }
        finally
        {
            await body.CompleteAsync();
        }
    }

    /// <summary>What a quarter's seed came to.</summary>
    private sealed record Seeded(int Calls, int Referrals, int Appointments, int Corrections);

    /// <summary>
    /// The follow-ups of the quarter's calls, each decided at its own time on the call as the import recorded it (the
    /// same decider on the same record), saved in one transaction. Anything after <paramref name="now"/> has not happened yet.
    /// </summary>
    private static async Task<Seeded> FollowUpsAsync(
        IDocumentStore store, Contract contract, List<PlannedCall> planned, DateTimeOffset now, string correlationId, CancellationToken ct)
    {
        var writes = new DemoWrites();
        int referrals = 0, appointments = 0, corrections = 0;
        foreach (var (record, correction, work, appointment) in planned.Where(p => p.Correction is not null || p.Referral is not null || p.Appointment is not null))
        {
            var callId = record.CallId!;
            var key = StreamKeys.Call(callId);
            var recorded = CallDecider.Record(record, null, new CallSituation(callId, null, contract, ServiceCentre, now));
            var call = writes.Recorded<Call>(key, recorded);
            var referralKey = call.ReferralId is { } opened ? StreamKeys.Referral(opened) : null;
            if (referralKey is not null)
            {
                writes.Recorded<Referral>(referralKey, recorded);
            }

            if (appointment is not null)
            {
                Book(writes, contract, call, appointment);
                appointments++;
            }

            if (work is not null && referralKey is not null && work.AcceptedAt <= now)
            {
                Work(writes, contract, referralKey, work, now);
                referrals++;
            }

            if (correction is not null && (call.CompletedAt ?? call.AbandonedAt ?? call.AnsweredAt ?? call.OfferedAt).AddDays(3) is var correctedAt && correctedAt <= now)
            {
                var referral = referralKey is null ? null : writes.State<Referral>(referralKey);
                writes.Decide<Call>(key, c => CallDecider.Correct(correction, new CallSituation(callId, c, contract, ServiceCentre, correctedAt)
                {
                    BookedAppointment = appointment?.AppointmentId,
                    Referral = referral,
                }));
                corrections++;
            }

            if (appointment is { Outcome: not AppointmentStatus.Booked } && appointment.OutcomeAt <= now)
            {
                Close(writes, contract, appointment);
            }
        }

        await using var session = store.LightweightSession();
        session.LastModifiedBy = DemoData.Actor;
        session.CorrelationId = correlationId;
        writes.Stage(session);
        await session.SaveChangesAsync(ct);
        return new Seeded(planned.Count, referrals, appointments, corrections);
    }

    private static void Book(DemoWrites writes, Contract contract, Call call, PlannedAppointment planned)
    {
        var booking = new BookAppointment(planned.AppointmentId, contract.ContractId, call.CallId, planned.Service, planned.StartsAt);
        writes.Decide<Appointment>(StreamKeys.Appointment(planned.AppointmentId), a => AppointmentDecider.Book(booking,
            new AppointmentSituation(planned.AppointmentId, a, contract, ServiceCentre, planned.BookedAt) { Call = call, CallsContract = contract }));
    }

    private static void Close(DemoWrites writes, Contract contract, PlannedAppointment planned) =>
        writes.Decide<Appointment>(StreamKeys.Appointment(planned.AppointmentId), a =>
        {
            var s = new AppointmentSituation(planned.AppointmentId, a, contract, ServiceCentre, planned.OutcomeAt);
            return planned.Outcome switch
            {
                AppointmentStatus.Cancelled => AppointmentDecider.Cancel(new CancelAppointment(CancelReason), s),
                AppointmentStatus.Attended => AppointmentDecider.RecordAttended(new RecordAppointmentAttended(), s),
                _ => AppointmentDecider.RecordMissed(new RecordAppointmentMissed(), s),
            };
        });

    private static void Work(DemoWrites writes, Contract contract, string key, ReferralWork work, DateTimeOffset now)
    {
        ReferralSituation At(Referral? r, DateTimeOffset at) => new(work.ReferralId, r, contract, Department, at);
        writes.Decide<Referral>(key, r => ReferralDecider.Accept(new AcceptReferral(work.AcceptedAt), At(r, work.AcceptedAt)));
        if (work.AnsweredAt is { } answered && answered <= now)
        {
            writes.Decide<Referral>(key, r => ReferralDecider.Answer(new AnswerReferral(answered), At(r, answered)));
        }
        else if (work.ReturnedAt is { } returned && returned <= now)
        {
            writes.Decide<Referral>(key, r => ReferralDecider.Return(new ReturnReferral(returned, ReturnReason), At(r, returned)));
        }
    }

    /// <summary>A line a year, in order, once its quarters are done; the quarters that were there already at the end.</summary>
    private sealed class Progress(IReadOnlyList<Quarter> quarters, Action<string> log)
    {
        private readonly Dictionary<Quarter, Seeded?> _done = [];
        private readonly long _started = Stopwatch.GetTimestamp();
        private int _reported;

        public void Done(Quarter quarter, Seeded? seeded)
        {
            lock (_done)
            {
                _done[quarter] = seeded;
                while (_reported < quarters.Count && quarters.Where(q => q.Year == quarters[_reported].Year).ToList() is var year && year.All(_done.ContainsKey))
                {
                    var added = year.Where(q => _done[q] is not null).ToList();
                    if (added.Count > 0)
                    {
                        var sum = added.Select(q => _done[q]!).Aggregate((a, b) => new(a.Calls + b.Calls, a.Referrals + b.Referrals, a.Appointments + b.Appointments, a.Corrections + b.Corrections));
                        log($"Demo: calls {year[0].Year}: {sum.Calls:N0} ({string.Join(", ", added.Select(q => $"Q{q.Number}"))}; {sum.Referrals:N0} referrals worked, " +
                            $"{sum.Appointments:N0} appointments, {sum.Corrections:N0} corrections); {Stopwatch.GetElapsedTime(_started).TotalSeconds:F0} s so far");
                    }

                    _reported += year.Count;
                }
            }
        }

        public void Finish()
        {
            var there = quarters.Where(q => _done[q] is null).ToList();
            if (there.Count > 0)
            {
                log($"Demo: the calls of {there.Count} quarters ({there[0]} to {there[^1]}) are already there.");
            }
        }
    }
}
