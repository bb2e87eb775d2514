using System.IO.Pipelines;
using Cooperation.Api.Appointments;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Calls;

/// <summary>
/// Imports call records in bulk (ADR 9). Lines are read as they arrive and decided in chunks: one query loads
/// the chunk's recorded calls, each line is judged by the same rules as the single requests, and the chunk's
/// events for many streams go to the database in one transaction. If that transaction loses a race with
/// another writer, its lines are written one by one, so each line is still stored whole or not at all.
/// </summary>
public sealed class CallImport(IDocumentStore store, CallRecordRules rules, CallerPseudonym pseudonym, TimeProvider clock, ILogger<CallImport> log)
{
    public const int MaxLineBytes = 64 * 1024;
    public const int ChunkSize = 500;
    public const int MaxRejectedListed = 1000;
    private const int ProgressEvery = 10_000;
    private const int AttemptsPerLine = 3;

    private readonly IDocumentStore _store = store;
    private readonly TimeProvider _clock = clock;
    private readonly CallerPseudonym _pseudonym = pseudonym;
    private readonly ILogger<CallImport> _log = log;

    public async Task<BatchResult> RunAsync(PipeReader body, Caller caller, string? correlationId, CancellationToken ct)
    {
        var run = new Run(this, caller, correlationId);
        var chunk = new List<(long Line, CallRecord Record)>(ChunkSize);
        var reader = new NdjsonReader<CallRecord>(body, ApiJson.Options, MaxLineBytes);
        await foreach (var line in reader.ReadAsync(ct))
        {
            run.Lines = line.Number;
            if (line.Value is null)
            {
                run.Reject(new RejectedLine(line.Number, null, StatusCodes.Status400BadRequest,
                    new Dictionary<string, string[]> { [line.Field!] = [line.Error!] }));
                continue;
            }

            if (rules.Check(line.Value) is { Count: > 0 } errors)
            {
                run.Reject(new RejectedLine(line.Number, line.Value.CallId, StatusCodes.Status400BadRequest, errors));
                continue;
            }

            chunk.Add((line.Number, line.Value));
            if (chunk.Count == ChunkSize)
            {
                await run.WriteAsync(chunk, ct);
                chunk.Clear();
            }
        }

        await run.WriteAsync(chunk, ct);
        _log.LogInformation("Call batch: {Lines} lines, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected",
            run.Lines, run.Accepted, run.Duplicates, run.RejectedCount);
        return run.Result;
    }

    /// <summary>One request's import: its counts, and the contracts of the chunk it is writing.</summary>
    private sealed class Run(CallImport import, Caller caller, string? correlationId)
    {
        private readonly Dictionary<string, Contract?> _contracts = new(StringComparer.Ordinal);
        private readonly List<RejectedLine> _rejected = [];
        private long _nextProgress = ProgressEvery;

        public long Lines { get; set; }

        public long Accepted { get; private set; }

        public long Duplicates { get; private set; }

        public long RejectedCount { get; private set; }

        public BatchResult Result => new(Accepted, Duplicates, _rejected.OrderBy(r => r.Line).ToList(), RejectedCount, Lines);

        public void Reject(RejectedLine line)
        {
            RejectedCount++;
            if (_rejected.Count < MaxRejectedListed)
            {
                _rejected.Add(line);
            }
        }

        public async Task WriteAsync(IReadOnlyList<(long Line, CallRecord Record)> lines, CancellationToken ct)
        {
            if (lines.Count == 0)
            {
                return;
            }

            List<Verdict> verdicts;
            try
            {
                verdicts = await TryWriteAsync(lines, ct);
            }
            catch (Exception e) when (LostRaces.IsLostRace(e))
            {
                verdicts = await WriteOneByOneAsync(lines, ct);
            }

            foreach (var verdict in verdicts)
            {
                switch (verdict)
                {
                    case Verdict.Stored:
                        Accepted++;
                        break;
                    case Verdict.Unchanged:
                        Duplicates++;
                        break;
                    case Verdict.Refused refused:
                        Reject(refused.Line);
                        break;
                }
            }

            if (Lines >= _nextProgress)
            {
                import._log.LogInformation("Call batch: {Lines} lines read, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected so far",
                    Lines, Accepted, Duplicates, RejectedCount);
                _nextProgress = (Lines / ProgressEvery + 1) * ProgressEvery;
            }
        }

        private async Task<List<Verdict>> WriteOneByOneAsync(IReadOnlyList<(long Line, CallRecord Record)> lines, CancellationToken ct)
        {
            var verdicts = new List<Verdict>(lines.Count);
            foreach (var line in lines)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        verdicts.AddRange(await TryWriteAsync([line], ct));
                        break;
                    }
                    catch (Exception e) when (LostRaces.IsLostRace(e) && attempt < AttemptsPerLine)
                    {
                        // Another writer again: read its state and decide afresh.
                    }
                    catch (Exception e) when (LostRaces.IsLostRace(e))
                    {
                        verdicts.Add(new Verdict.Refused(new RejectedLine(line.Line, line.Record.CallId, StatusCodes.Status409Conflict,
                            new Dictionary<string, string[]> { ["callId"] = ["The call kept changing while it was imported; send the line again."] })));
                        break;
                    }
                }
            }

            return verdicts;
        }

        /// <summary>Decides the lines on the recorded state and saves what they add in one transaction.</summary>
        private async Task<List<Verdict>> TryWriteAsync(IReadOnlyList<(long Line, CallRecord Record)> lines, CancellationToken ct)
        {
            await using var session = import._store.LightweightSession();
            session.LastModifiedBy = caller.Subject;
            session.CorrelationId = correlationId;

            var recorded = await LoadCallsAsync(session, lines, ct);
            await LoadContractsAsync(session, lines.Select(l => l.Record.ContractId!).Concat(recorded.Values.Select(c => c.ContractId)), ct);
            var referralKeys = lines.Select(l => StreamKeys.Referral(ReferralAccess.IdFor(l.Record.CallId!))).ToList();
            var takenReferrals = (await session.Query<Referral>().Where(r => referralKeys.Contains(r.Id)).Select(r => r.Id).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);

            var callIds = lines.Select(l => l.Record.CallId).ToList();
            var booked = (await session.Query<Appointment>().Where(a => callIds.Contains(a.CallId)).ToListAsync(ct))
                .GroupBy(a => a.CallId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().AppointmentId, StringComparer.Ordinal);

            var current = new Dictionary<string, Call>(recorded, StringComparer.Ordinal);
            var appended = new Dictionary<string, List<object>>(StringComparer.Ordinal);
            var verdicts = new List<Verdict>(lines.Count);
            var now = import._clock.GetUtcNow();
            foreach (var (number, record) in lines)
            {
                var key = StreamKeys.Call(record.CallId!);
                var call = current.GetValueOrDefault(key);
                var referralId = ReferralAccess.IdFor(record.CallId!);
                var situation = new CallSituation(record.CallId!, call, _contracts.GetValueOrDefault(call?.ContractId ?? record.ContractId!), caller, now)
                {
                    ReferralTaken = takenReferrals.Contains(StreamKeys.Referral(referralId)),
                    BookedAppointment = booked.GetValueOrDefault(record.CallId!),
                };
                var decision = CallDecider.Record(record, OfferCallEndpoint.HashOf(record.Offer, import._pseudonym), situation);
                if (decision.Problem is { } problem)
                {
                    verdicts.Add(new Verdict.Refused(RejectedLine.From(number, record.CallId, problem)));
                    continue;
                }

                if (decision.IsRepeat)
                {
                    verdicts.Add(new Verdict.Unchanged());
                    continue;
                }

                verdicts.Add(new Verdict.Stored());
                var events = decision.EventsOf(key);
                current[key] = Aggregates.Fold(call, events)!;
                (appended.TryGetValue(key, out var list) ? list : appended[key] = []).AddRange(events);
                foreach (var opened in decision.Changes.Where(c => c.Key != key))
                {
                    takenReferrals.Add(opened.Key);
                    session.Events.StartStream<Referral>(opened.Key, [.. opened.Events]);
                }
            }

            foreach (var (key, events) in appended)
            {
                if (recorded.TryGetValue(key, out var before))
                {
                    session.Events.Append(key, before.Version + events.Count, events);
                }
                else
                {
                    session.Events.StartStream<Call>(key, events);
                }
            }

            await session.SaveChangesAsync(ct);
            return verdicts;
        }

        private static async Task<Dictionary<string, Call>> LoadCallsAsync(
            IDocumentSession session, IReadOnlyList<(long Line, CallRecord Record)> lines, CancellationToken ct)
        {
            var keys = lines.Select(l => StreamKeys.Call(l.Record.CallId!)).Distinct().ToList();
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => keys.Contains(e.StreamKey!))
                .OrderBy(e => e.Sequence)
                .ToListAsync(ct);
            return events.GroupBy(e => e.StreamKey!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => Aggregates.Fold<Call>(g)!, StringComparer.Ordinal);
        }


        private async Task LoadContractsAsync(IDocumentSession session, IEnumerable<string> ids, CancellationToken ct)
        {
            // Read afresh for each chunk: a quarter may have been invoiced (closed) since the last one.
            _contracts.Clear();
            var wanted = ids.Distinct().ToList();
            var found = await session.LoadManyAsync<Contract>(ct, wanted.Select(StreamKeys.Contract));
            foreach (var id in wanted)
            {
                _contracts[id] = found.FirstOrDefault(c => c.ContractId == id);
            }
        }
    }

    private abstract record Verdict
    {
        public sealed record Stored : Verdict;

        public sealed record Unchanged : Verdict;

        public sealed record Refused(RejectedLine Line) : Verdict;
    }
}
