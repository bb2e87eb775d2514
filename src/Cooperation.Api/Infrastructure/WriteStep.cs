using System.Diagnostics;
using JasperFx.Events;
using Marten;
using Marten.Internal;
using Marten.Internal.Operations;
using Weasel.Storage;
using Npgsql;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;

namespace Cooperation.Api.Infrastructure;

/// <summary>What a write step came to: what the decision was made on, and the decision.</summary>
public sealed record Written<TInput>(TInput Input, Decision Decision);

/// <summary>
/// The one write step of every command (ADR 14): load what the decision needs, decide (pure), append what it
/// decided with the versions it read, save. A lost race (another writer changed a stream read, or a stream
/// relied on, first) loads again and decides again, so a retry or a racing request gets the answer it would have
/// got one after the other, and a success is always stored. Reads hold no transaction; only the save opens one.
/// </summary>
public sealed class WriteStep(IDocumentStore store)
{
    /// <summary>After this many lost races, or <see cref="Budget"/>, the lost race is thrown (answered 409, nothing stored).</summary>
    public const int Attempts = 30;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <param name="prepare">
    /// Run first in each attempt, before <paramref name="load"/>: billing opens the session's transaction there and
    /// takes its provider's lock (ADR 12), so what it loads is read under the lock.
    /// </param>
    public async Task<Written<TInput>> RunAsync<TInput>(
        HttpContext http, Func<WriteSession, CancellationToken, Task<TInput>> load, Func<TInput, Decision> decide, CancellationToken ct,
        Func<IDocumentSession, CancellationToken, Task>? prepare = null)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            session.LastModifiedBy = Caller.From(http.User).Subject;
            session.CorrelationId = CorrelationId.Of(http);
            if (prepare is not null)
            {
                await prepare(session, ct);
            }

            var write = new WriteSession(session, attempt);
            var input = await load(write, ct);
            var decision = write.WithinStreamLimit(decide(input));
            if (decision.IsRefused && attempt < Attempts && Stopwatch.GetElapsedTime(started) < Budget && await write.ReadStaleAsync(ct))
            {
                // A refusal has no save to guard it: one made on a cached read that is out of date is made again.
                write.Forget();
                continue;
            }

            if (decision.IsRefused || decision.IsRepeat)
            {
                return new(input, decision);
            }

            write.Stage(decision);
            try
            {
                await session.SaveChangesAsync(ct);
                return new(input, decision);
            }
            catch (Exception e) when (attempt < Attempts && Stopwatch.GetElapsedTime(started) < Budget && LostRaces.IsLostRace(e))
            {
                write.Forget();
                // Exponential backoff with full jitter spreads the racers so that one of them wins each round.
                await Task.Delay(Random.Shared.Next(Math.Min(200, 2 << Math.Min(attempt, 7))), ct);
            }
        }
    }

    /// <summary>
    /// The guard of a decision made on a cached read of another stream (a call decided on its contract): in the
    /// save's transaction, the stream must still be at the version read. A shared advisory lock on the stream
    /// is held to the commit, and every change of a relied-on stream takes it exclusively
    /// (<see cref="WriteSession.Stage"/>), so the two are ordered: no decision commits on a contract changed since it was read.
    /// </summary>
    public static void AddGuardFunction(StoreOptions options, string schema) =>
        AddCheckFunction(options, GuardFunction, "stream varchar, expected bigint", $$"""
            declare actual bigint;
            begin
              perform pg_advisory_xact_lock_shared(hashtextextended(stream, 0));
              select version into actual from {{schema}}.mt_streams where id = stream;
              if actual is distinct from expected then
                raise exception 'Stream % is at version %, the decision read version %.', stream, actual, expected using errcode = '{{StaleRead}}';
              end if;
            end
            """);

    internal const string GuardFunction = "co_relied_on";

    /// <summary>A check for <see cref="WriteSession.CheckAtSave"/>: a plpgsql function of the store's schema returning nothing.</summary>
    public static void AddCheckFunction(StoreOptions options, string name, string parameters, string body)
    {
        var schema = options.DatabaseSchemaName;
#pragma warning disable CS0618 // the replacement's IdentifierUsage is not in the Weasel version Marten 9.58 brings
        var identifier = new PostgresqlObjectName(schema, name);
#pragma warning restore CS0618
        options.Storage.ExtendedSchemaObjects.Add(new Function(identifier,
            $"create or replace function {schema}.{name}({parameters}) returns void language plpgsql as $f$\n{body}\n$f$;"));
    }

    /// <summary>The SQLSTATE of a guard that failed: a lost race like any other.</summary>
    public const string StaleRead = "CO409";
}

/// <summary>The reads of one attempt of a write step: streams fetched for writing, and other streams relied on.</summary>
public sealed class WriteSession(IDocumentSession session, int attempt)
{
    private readonly Dictionary<string, Action<IReadOnlyList<object>>> _fetched = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _versions = new(StringComparer.Ordinal);
    private readonly List<(string Key, long Version, Action Forget)> _reliedOn = [];
    private readonly List<SqlStep> _checks = [];

    public IDocumentSession Session => session;

    /// <summary>The first attempt of the write step: the one worth an optimistic guess.</summary>
    public bool IsFirstAttempt => attempt == 1;

    /// <summary>
    /// A stream taken to be new without reading it (what almost every call's offer is): the decision's events start
    /// it, and if it exists after all the save fails as a lost race, and the next attempt reads it.
    /// </summary>
    public T? AssumeNew<T>(string key) where T : class
    {
        _fetched[key] = events => session.Events.StartStream<T>(key, [.. events]);
        return null;
    }

    /// <summary>A stream read elsewhere (the bulk import reads many at once) at <paramref name="version"/>: appended to like a fetched one.</summary>
    public void Expect(string key, long version)
    {
        _versions[key] = version;
        _fetched[key] = events => session.Events.Append(key, version + events.Count, [.. events]);
    }

    /// <summary>A stream whose events the decision may append to, checked at the save against the version read here.</summary>
    public async Task<T?> FetchAsync<T>(string key, CancellationToken ct) where T : class
    {
        var stream = await session.Events.FetchForWriting<T>(key, ct);
        _versions[key] = stream.CurrentVersion ?? 0;
        _fetched[key] = events => stream.AppendMany(events);
        return stream.Aggregate;
    }

    /// <summary>
    /// The decision depends on another stream at <paramref name="version"/>, read from a cache: the save fails as a
    /// lost race when it changed, and <paramref name="forget"/> drops the cached read before the next attempt.
    /// </summary>
    public void RelyOn(string key, long version, Action forget) => _reliedOn.Add((key, version, forget));

    /// <summary>
    /// The decision, or a 409 when it would take a stream past <see cref="Limits.MaxStreamEvents"/> (ADR 23): every
    /// list in a view of one stream is bounded by it, and so is the cost of loading one.
    /// </summary>
    internal Decision WithinStreamLimit(Decision decision)
    {
        foreach (var change in decision.Changes)
        {
            if (_versions.GetValueOrDefault(change.Key) + change.Events.Count > Limits.MaxStreamEvents)
            {
                return Decision.Refuse(Problems.Conflict("$",
                    $"'{change.Key}' holds {_versions.GetValueOrDefault(change.Key)} events; one stream holds at most {Limits.MaxStreamEvents}, so this change cannot be recorded."));
            }
        }

        return decision;
    }

    /// <summary>Whether a stream relied on has moved on since it was read (one round trip, only when something was relied on).</summary>
    internal async Task<bool> ReadStaleAsync(CancellationToken ct)
    {
        if (_reliedOn.Count == 0)
        {
            return false;
        }

        var keys = _reliedOn.Select(r => r.Key).ToArray();
        var versions = await session.AdvancedSql.QueryAsync<string, long>(
            $"select row(id), row(version) from {session.DocumentStore.Options.Events.DatabaseSchemaName}.mt_streams where id = any(?)", ct, [keys]);
        return _reliedOn.Any(r => versions.FirstOrDefault(v => v.Item1 == r.Key).Item2 != r.Version);
    }

    /// <summary>
    /// A check run in the save's transaction after its streams' locks are taken (see <see cref="Stage"/>): a
    /// function of ours that raises <see cref="WriteStep.StaleRead"/> when what the decision read no longer holds.
    /// </summary>
    public void CheckAtSave(string function, params object[] arguments) =>
        _checks.Add(new SqlStep(
            $"select {session.DocumentStore.Options.Events.DatabaseSchemaName}.{function}({string.Join(", ", arguments.Select(_ => "?"))})", arguments));

    /// <summary>Queues the checks that the streams relied on are still at the versions read, into the save.</summary>
    public void Guard()
    {
        var schema = session.DocumentStore.Options.Events.DatabaseSchemaName;
        foreach (var (key, version, _) in _reliedOn)
        {
            session.QueueOperation(new SqlStep($"select {schema}.{WriteStep.GuardFunction}(?, ?)", key, version));
        }
    }

    internal void Stage(Decision decision)
    {
        Guard();

        foreach (var change in decision.Changes)
        {
            if (_fetched.TryGetValue(change.Key, out var append))
            {
                append(change.Events);
                // Ordered with the guards of decisions relying on this stream (see WriteStep.AddGuardFunction).
                session.QueueOperation(new SqlStep("select pg_advisory_xact_lock(hashtextextended(?, 0))", change.Key));
            }
            else if (change.Starts is { } aggregate)
            {
                session.Events.StartStream(aggregate, change.Key, [.. change.Events]);
            }
            else
            {
                throw new InvalidOperationException($"Stream '{change.Key}' was neither fetched for writing nor started by the decision.");
            }
        }

        _checks.ForEach(session.QueueOperation);
    }

    internal void Forget()
    {
        foreach (var (_, _, forget) in _reliedOn)
        {
            forget();
        }
    }
}

/// <summary>
/// A statement in the save's batch that returns one row nobody reads (Marten's queued SQL must return none).
/// Its failure fails the save.
/// </summary>
internal sealed class SqlStep(string sql, params object[] parameters) : Marten.Internal.Operations.IStorageOperation
{
    public Type DocumentType => typeof(Marten.Storage.StorageFeatures); // as Marten's own SQL steps: no document storage behind it

    public void ConfigureCommand(ICommandBuilder builder, IStorageSession session)
    {
        var placeholders = builder.AppendWithParameters(sql, '?');
        for (var i = 0; i < placeholders.Length; i++)
        {
            placeholders[i].NpgsqlDbType = parameters[i] is long ? NpgsqlTypes.NpgsqlDbType.Bigint : NpgsqlTypes.NpgsqlDbType.Varchar;
            placeholders[i].Value = parameters[i];
        }
    }

    public Task PostprocessAsync(System.Data.Common.DbDataReader reader, IList<Exception> exceptions, CancellationToken token) => Task.CompletedTask;

    public Weasel.Core.OperationRole Role() => Weasel.Core.OperationRole.Other;
}
