using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using Cooperation.Api.Appointments;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Marten;
using Npgsql;

namespace Cooperation.Api.Calls;

/// <summary>
/// Imports call records in bulk (ADR 9, ADR 14). One task reads, checks and pseudonymises lines while another
/// decides and writes the chunk before, so the database is never idle waiting for parsing. Each chunk: one round
/// trip finds which of its calls (and of the referrals they would open) exist, by primary key; only existing calls'
/// events are read; each line is decided by <see cref="CallDecider.Record"/>, the single requests' rules; new call
/// streams go in with one binary COPY, the rest through Marten, all in one transaction, guarded by the contracts'
/// versions. If that transaction loses a race with another writer, its lines are written one by one, so each line
/// is still stored whole or not at all.
/// </summary>
public sealed class CallImport(
    IDocumentStore store, CallRecordRules rules, CallerPseudonym pseudonym, ContractCache contracts, EventRows rows, TimeProvider clock, ILogger<CallImport> log)
{
    public const int MaxLineBytes = 64 * 1024;
    public const int ChunkSize = 1000;
    public const int MaxRejectedListed = 1000;
    private const int ProgressEvery = 10_000;
    private const int AttemptsPerLine = 3;

    private readonly string _schema = store.Options.Events.DatabaseSchemaName;
    private readonly IDocumentStore _store = store;
    private readonly ContractCache _contracts = contracts;
    private readonly EventRows _rows = rows;
    private readonly TimeProvider _clock = clock;

    public async Task<BatchResult> RunAsync(PipeReader body, Caller caller, string? correlationId, CancellationToken ct)
    {
        var run = new Run(this, caller, correlationId);
        var begun = Stopwatch.GetTimestamp();
        // Two chunks ahead at most: memory stays bounded by the chunk size, whatever the body's size.
        var chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reading = ReadAsync(body, chunks.Writer, stop.Token);
        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(ct))
            {
                await run.WriteAsync(chunk, ct);
            }

            await reading;
        }
        finally
        {
            // Never leave the reader running on a body the request no longer owns.
            await stop.CancelAsync();
            await Task.WhenAny(reading);
        }

        log.LogInformation(
            "Call batch: {Lines} lines, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected in {Seconds:F1} s; looking up {LookingUp:F1} s, deciding {Deciding:F1} s, writing {Writing:F1} s (of which copying new calls {Copying:F1} s), the rest waiting for lines",
            run.Lines, run.Accepted, run.Duplicates, run.RejectedCount, Stopwatch.GetElapsedTime(begun).TotalSeconds,
            run.LookingUp.TotalSeconds, run.Deciding.TotalSeconds, run.Writing.TotalSeconds, run.Copying.TotalSeconds);
        return run.Result;
    }

    /// <summary>Reads, checks and pseudonymises the lines, and hands them on in chunks.</summary>
    private async Task ReadAsync(PipeReader body, ChannelWriter<Chunk> chunks, CancellationToken ct)
    {
        try
        {
            var chunk = new Chunk();
            var reader = new NdjsonReader<CallRecord>(body, ApiJson.Options, MaxLineBytes);
            await foreach (var line in reader.ReadAsync(ct))
            {
                chunk.LastLine = line.Number;
                if (line.Value is null)
                {
                    chunk.Rejected.Add(new RejectedLine(line.Number, null, StatusCodes.Status400BadRequest,
                        new Dictionary<string, string[]> { [line.Field!] = [line.Error!] }));
                }
                else if (rules.Check(line.Value) is { Count: > 0 } errors)
                {
                    chunk.Rejected.Add(new RejectedLine(line.Number, line.Value.CallId, StatusCodes.Status400BadRequest, errors));
                }
                else
                {
                    chunk.Lines.Add(new ImportLine(line.Number, line.Value, OfferCallEndpoint.HashOf(line.Value.Offer, pseudonym)));
                }

                if (chunk.Lines.Count == ChunkSize || chunk.Rejected.Count == ChunkSize)
                {
                    await chunks.WriteAsync(chunk, ct);
                    chunk = new Chunk { LastLine = chunk.LastLine };
                }
            }

            await chunks.WriteAsync(chunk, ct);
            chunks.Complete();
        }
        catch (Exception e)
        {
            chunks.Complete(e);
            throw;
        }
    }

    private sealed record ImportLine(long Number, CallRecord Record, string? CallerHash);

    private sealed class Chunk
    {
        public List<ImportLine> Lines { get; } = new(ChunkSize);

        public List<RejectedLine> Rejected { get; } = [];

        public long LastLine { get; set; }
    }

    /// <summary>One request's import: its counts.</summary>
    private sealed class Run(CallImport import, Caller caller, string? correlationId)
    {
        private readonly List<RejectedLine> _rejected = [];
        private long _nextProgress = ProgressEvery;

        public long Lines { get; private set; }

        public long Accepted { get; private set; }

        public long Duplicates { get; private set; }

        public long RejectedCount { get; private set; }

        /// <summary>Where the time went, for the log: a slow import tells its operator which side to look at.</summary>
        public TimeSpan LookingUp { get; private set; }

        public TimeSpan Deciding { get; private set; }

        public TimeSpan Writing { get; private set; }

        public TimeSpan Copying { get; private set; }

        public BatchResult Result => new(Accepted, Duplicates, _rejected.OrderBy(r => r.Line).ToList(), RejectedCount, Lines);

        private void Reject(RejectedLine line)
        {
            RejectedCount++;
            if (_rejected.Count < MaxRejectedListed)
            {
                _rejected.Add(line);
            }
        }

        public async Task WriteAsync(Chunk chunk, CancellationToken ct)
        {
            Lines = chunk.LastLine;
            chunk.Rejected.ForEach(Reject);
            if (chunk.Lines.Count > 0)
            {
                List<Verdict> verdicts;
                try
                {
                    verdicts = await TryWriteAsync(chunk.Lines, ct);
                }
                catch (Exception e) when (IsLostRace(e))
                {
                    verdicts = await WriteOneByOneAsync(chunk.Lines, ct);
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
            }

            if (Lines >= _nextProgress)
            {
                import.LogProgress(Lines, Accepted, Duplicates, RejectedCount);
                _nextProgress = (Lines / ProgressEvery + 1) * ProgressEvery;
            }
        }

        private async Task<List<Verdict>> WriteOneByOneAsync(List<ImportLine> lines, CancellationToken ct)
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
                    catch (Exception e) when (IsLostRace(e) && attempt < AttemptsPerLine)
                    {
                        // Another writer again: read its state and decide afresh.
                    }
                    catch (Exception e) when (IsLostRace(e))
                    {
                        verdicts.Add(new Verdict.Refused(new RejectedLine(line.Number, line.Record.CallId, StatusCodes.Status409Conflict,
                            new Dictionary<string, string[]> { ["callId"] = ["The call kept changing while it was imported; send the line again."] })));
                        break;
                    }
                }
            }

            return verdicts;
        }

        /// <summary>Decides the lines on the recorded state and saves what they add in one transaction.</summary>
        private async Task<List<Verdict>> TryWriteAsync(List<ImportLine> lines, CancellationToken ct)
        {
            await using var session = import._store.LightweightSession();
            session.LastModifiedBy = caller.Subject;
            session.CorrelationId = correlationId;
            var write = new WriteSession(session, 1);

            var started = Stopwatch.GetTimestamp();
            var known = await import.ExistingAsync(session, lines, ct);
            var recorded = await import.LoadCallsAsync(lines.Select(l => StreamKeys.Call(l.Record.CallId!)).Where(known.ContainsKey), ct);
            var contractsById = new Dictionary<string, Contract?>(StringComparer.Ordinal);
            foreach (var id in lines.Select(l => l.Record.ContractId!).Concat(recorded.Values.Select(c => c.ContractId)).Distinct(StringComparer.Ordinal))
            {
                contractsById[id] = await import._contracts.GetAsync(write, id, ct);
            }

            var callIds = lines.Select(l => l.Record.CallId).ToList();
            var booked = (await session.Query<Appointment>().Where(a => callIds.Contains(a.CallId)).ToListAsync(ct))
                .GroupBy(a => a.CallId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().AppointmentId, StringComparer.Ordinal);

            var decided = Stopwatch.GetTimestamp();
            LookingUp += Stopwatch.GetElapsedTime(started, decided);
            var current = new Dictionary<string, Call>(recorded, StringComparer.Ordinal);
            var appended = new Dictionary<string, List<object>>(StringComparer.Ordinal);
            var changes = new List<StreamEvents>();
            var verdicts = new List<Verdict>(lines.Count);
            var now = import._clock.GetUtcNow();
            foreach (var (number, record, callerHash) in lines)
            {
                var key = StreamKeys.Call(record.CallId!);
                var call = current.GetValueOrDefault(key);
                var situation = new CallSituation(record.CallId!, call, contractsById.GetValueOrDefault(call?.ContractId ?? record.ContractId!), caller, now)
                {
                    ReferralTaken = known.ContainsKey(StreamKeys.Referral(ReferralAccess.IdFor(record.CallId!))),
                    BookedAppointment = booked.GetValueOrDefault(record.CallId!),
                };
                var decision = CallDecider.Record(record, callerHash, situation);
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
                if (call is not null && events.OfType<CallCompleted>().Any(c => c.Outcome != CallOutcome.AppointmentBooked))
                {
                    // As for a single completion: a booking in the call since we read its appointments is seen at the save.
                    write.CheckAtSave(AppointmentsConfiguration.NoBookingIn, call.CallId);
                }

                foreach (var opened in decision.Changes.Where(c => c.Key != key))
                {
                    known[opened.Key] = opened.Events.Count;
                    changes.Add(opened);
                }
            }

            var writing = Stopwatch.GetTimestamp();
            Deciding += Stopwatch.GetElapsedTime(decided, writing);
            if (verdicts.Any(v => v is Verdict.Refused) && await write.ReadStaleAsync(ct))
            {
                // A refusal has no save to guard it: one made on a cached contract that is out of date is made again.
                write.Forget();
                return await TryWriteAsync(lines, ct);
            }

            if (appended.Count == 0)
            {
                return verdicts; // nothing to store: no save, so no guard that could fail on it
            }

            var newCalls = new List<StreamEvents>();
            foreach (var (key, events) in appended)
            {
                if (recorded.TryGetValue(key, out var before))
                {
                    // Through the write session: appended at the version read, under the call's lock (ADR 14).
                    write.Expect(key, before.Version);
                    changes.Add(new StreamEvents(key, events));
                }
                else
                {
                    newCalls.Add(new StreamEvents(key, events));
                }
            }

            try
            {
                await session.BeginTransactionAsync(ct);
                await import._rows.StartStreamsAsync((NpgsqlConnection)session.Connection!, typeof(Call), newCalls, caller.Subject, correlationId, ct);
                Copying += Stopwatch.GetElapsedTime(writing);
                write.Stage(Decision.Of(changes));
                await session.SaveChangesAsync(ct);
            }
            catch (Exception e) when (IsLostRace(e))
            {
                write.Forget(); // a guard failed on a cached contract: the next attempt reads it afresh
                throw;
            }

            Writing += Stopwatch.GetElapsedTime(writing);
            return verdicts;
        }
    }

    private void LogProgress(long lines, long accepted, long duplicates, long rejected) =>
        log.LogInformation("Call batch: {Lines} lines read, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected so far",
            lines, accepted, duplicates, rejected);

    /// <summary>A lost race, or a call started by another writer between our look and our COPY.</summary>
    private static bool IsLostRace(Exception e) =>
        LostRaces.IsLostRace(e) || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } || e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>Which of the chunk's calls, and of the referrals they would open, exist, with their versions: by primary key.</summary>
    private async Task<Dictionary<string, long>> ExistingAsync(IQuerySession session, List<ImportLine> lines, CancellationToken ct)
    {
        var keys = lines.SelectMany(l => new[] { StreamKeys.Call(l.Record.CallId!), StreamKeys.Referral(ReferralAccess.IdFor(l.Record.CallId!)) })
            .Distinct(StringComparer.Ordinal).ToArray();
        var found = await session.AdvancedSql.QueryAsync<string, long>(
            $"select row(id), row(version) from {_schema}.mt_streams where id = any(?)", ct, [keys]);
        return found.ToDictionary(f => f.Item1, f => f.Item2, StringComparer.Ordinal);
    }

    /// <summary>The calls recorded before (found by primary key first: a new call reads no events), by the call's one fold.</summary>
    private async Task<Dictionary<string, Call>> LoadCallsAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        var events = await _rows.ReadStreamsAsync(keys.Distinct(StringComparer.Ordinal).ToList(), Aggregates.EventTypesOf<Call>(), ct);
        var calls = new Dictionary<string, Call>(StringComparer.Ordinal);
        foreach (var (key, version, data) in events)
        {
            calls[key] = Call.When(calls.GetValueOrDefault(key), data).AtVersion(version);
        }

        return calls;
    }

    private abstract record Verdict
    {
        public sealed record Stored : Verdict;

        public sealed record Unchanged : Verdict;

        public sealed record Refused(RejectedLine Line) : Verdict;
    }
}
