using System.Diagnostics;
using JasperFx.CommandLine;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;

namespace Cooperation.Api.Reports;

public sealed record RebuildResult(int Generation, long Events, TimeSpan Took);

/// <summary>
/// Builds a new generation of the report tables beside the live one while the service runs (ADR 16): reads the
/// events in order in large chunks straight from the table, applies them with the daemon's own
/// <see cref="ReportProjector"/>, catches up with the live generation and takes its place in one transaction that
/// holds the daemon's next batch back. Readers see the old generation until the switch, then the new one.
/// </summary>
public sealed class ReportRebuild(IDocumentStore store, NpgsqlDataSource dataSource)
{
    public const int ChunkSize = 20_000;

    private readonly ReportStore _tables = new(store.Options.Events.DatabaseSchemaName);
    private readonly Marten.ISerializer _serializer = store.Options.Serializer();
    private readonly ReportReads _reads = new(dataSource, store);

    public async Task<RebuildResult> RunAsync(Action<string> log, CancellationToken ct = default)
    {
        // One rebuild at a time: a session lock, held by this connection for the whole run. Pooled connections are
        // not reset (Database.Tuned), so it is given back explicitly.
        var lockKey = $"hashtextextended('{_tables.Generations}:rebuild', 0)";
        await using var guard = await dataSource.OpenConnectionAsync(ct);
        var held = false;
        try
        {
            await using (var take = new NpgsqlCommand($"select pg_try_advisory_lock({lockKey})", guard))
            {
                held = (bool)(await take.ExecuteScalarAsync(ct))!;
            }

            return held
                ? await BuildAsync(log, ct)
                : throw new InvalidOperationException("Another rebuild of the reports is running; this one did not start.");
        }
        finally
        {
            // Also after a cancellation that came as the lock was granted: unlocking a lock not held is harmless.
            await using var give = new NpgsqlCommand($"select pg_advisory_unlock({lockKey})", guard);
            await give.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    private async Task<RebuildResult> BuildAsync(Action<string> log, CancellationToken ct)
    {
        var took = Stopwatch.StartNew();
        var projector = new ReportProjector(_tables, _serializer);
        var generations = new ReportGenerations(_tables);

        int number;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            await ReportGenerations.EnsureOnceAsync(_tables, connection, ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            // A rebuild that died half-way leaves a generation no one reads: its tables go.
            await ReportStore.ExecuteAsync(connection, tx, $"update {_tables.Generations} set role = 'retired', retired_at = now() - interval '1 hour' where role = 'building'", ct);
            await _tables.DropRetiredAsync(connection, tx, ct);
            number = await generations.NextNumberAsync(connection, tx, ct);
            await _tables.CreateGenerationAsync(connection, tx, number, "building", ct);
            await tx.CommitAsync(ct);
        }

        var position = 0L;
        var applied = 0L;
        var total = await CountAsync(_reads.TypeNames, ct);
        var shown = Stopwatch.StartNew();
        log($"Reports: building generation {number} beside the live one from {total:N0} events.");
        // The next chunk is read while one is applied: reading and writing each keep one core busy.
        var next = ReadAsync(position, await EndAsync(ct), ChunkSize, ct);
        var waiting = new Stopwatch();
        var applying = new Stopwatch();
        while (true)
        {
            waiting.Start();
            var events = await next;
            waiting.Stop();
            if (events.Count < ChunkSize / 10)
            {
                if (await SwitchAsync(projector, generations, number, position, log, ct) is { } final)
                {
                    applied += final;
                    break;
                }

                next = ReadAsync(position, await EndAsync(ct), ChunkSize, ct);
                continue;
            }

            // Never past the live generation: the switch below takes over exactly where the daemon stands.
            next = ReadAsync(events[^1].Sequence, await EndAsync(ct), ChunkSize, ct);
            applying.Start();
            await using (var connection = await dataSource.OpenConnectionAsync(ct))
            await using (var tx = await connection.BeginTransactionAsync(ct))
            {
                // A chunk lost in a crash is built again by the next rebuild: no need to wait for the disk.
                await ReportStore.ExecuteAsync(connection, tx, "set local synchronous_commit = off", ct);
                await projector.ApplyAsync(connection, tx, number, events, ct);
                position = events[^1].Sequence;
                await ReportStore.ExecuteAsync(connection, tx, $"update {_tables.Generations} set position = {position} where generation = {number}", ct);
                await tx.CommitAsync(ct);
            }

            applying.Stop();

            applied += events.Count;
            if (shown.Elapsed > TimeSpan.FromSeconds(2))
            {
                log($"Reports: generation {number}: {applied:N0} of about {total:N0} events ({100 * applied / Math.Max(total, 1)} %), " +
                    $"{applied / took.Elapsed.TotalSeconds:N0} events/s; waited {waiting.Elapsed.TotalSeconds:N1} s for reads, applied for {applying.Elapsed.TotalSeconds:N1} s");
                shown.Restart();
            }
        }

        log($"Reports: generation {number} is live and serves the reports: {applied:N0} events in {took.Elapsed.TotalSeconds:N1} s ({applied / Math.Max(took.Elapsed.TotalSeconds, 0.001):N0} events/s).");
        log($"Reports: waited {waiting.Elapsed.TotalSeconds:N1} s for events; applying {applying.Elapsed.TotalSeconds:N1} s: reading rows {projector.Timings.Reading.Elapsed.TotalSeconds:N1} s, " +
            $"folding and counting {projector.Timings.Counting.Elapsed.TotalSeconds:N1} s, writing {projector.Timings.Writing.Elapsed.TotalSeconds:N1} s, the rest committing.");
        return new RebuildResult(number, applied, took.Elapsed);
    }

    /// <summary>
    /// Takes over from the live generation: under its lock (a daemon batch in flight finishes first, the next one
    /// waits), applies what remains up to where the daemon stands and makes the new generation live and served.
    /// Null when the daemon moved on too far meanwhile: another round of chunks first.
    /// </summary>
    private async Task<long?> SwitchAsync(
        ReportProjector projector, ReportGenerations generations, int number, long position,
        Action<string> log, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // The daemon's batch locks its progress row before the live generation: with no live generation, where this
        // switch writes that row too, it takes them in the same order.
        await using (var progressFirst = new NpgsqlCommand(
            $"select 1 from {_tables.Schema}.mt_event_progression where name = @name for update", connection, tx))
        {
            progressFirst.Parameters.AddWithValue("name", $"{ReportProjection.ProjectionName}:All");
            await progressFirst.ExecuteScalarAsync(ct);
        }

        var live = await generations.LockLiveAsync(connection, tx, ct);
        long end;
        if (live is not null)
        {
            end = await ShardProgressAsync(connection, tx, ct) ?? live.Position;
        }
        else
        {
            end = await HighestAsync(connection, tx, ct);
        }

        var events = await ReadAsync(position, end, ChunkSize, ct);
        if (events.Count == ChunkSize)
        {
            return null;
        }

        if (events.Count > 0)
        {
            await projector.ApplyAsync(connection, tx, number, events, ct);
        }

        var at = Math.Max(position, end);
        if (live is not null)
        {
            await ReportStore.ExecuteAsync(connection, tx,
                $"update {_tables.Generations} set role = 'retired', retired_at = now() where generation = {live.Number}", ct);
        }
        else
        {
            // No daemon has run the reports yet: it starts after what this generation holds.
            await using var progress = new NpgsqlCommand(
                $"insert into {_tables.Schema}.mt_event_progression (name, last_seq_id) values (@name, @at) on conflict (name) do update set last_seq_id = excluded.last_seq_id",
                connection, tx);
            progress.Parameters.AddWithValue("name", $"{ReportProjection.ProjectionName}:All");
            progress.Parameters.AddWithValue("at", at);
            await progress.ExecuteNonQueryAsync(ct);
        }

        await using (var promote = new NpgsqlCommand(
            $"update {_tables.Generations} set role = 'live', position = {at}, ready_at = now() where generation = {number} and role = 'building'", connection, tx))
        {
            if (await promote.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new InvalidOperationException($"Generation {number} is no longer being built: nothing was switched.");
            }
        }

        await tx.CommitAsync(ct);
        log($"Reports: generation {number} took over{(live is null ? string.Empty : $" from generation {live.Number}")} at event {at:N0}.");
        return events.Count;
    }

    /// <summary>Where the live generation stands (the daemon's progress), or the highest event when none is live.</summary>
    private async Task<long> EndAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"select generation, position from {_tables.Generations} where role = 'live'", connection);
        ReportGeneration? live = null;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                live = new ReportGeneration(reader.GetInt32(0), reader.GetInt64(1));
            }
        }

        return live is null
            ? await HighestAsync(connection, null, ct)
            : await ShardProgressAsync(connection, null, ct) ?? live.Position;
    }

    private async Task<long?> ShardProgressAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select last_seq_id from {_tables.Schema}.mt_event_progression where name = @name", connection, tx);
        command.Parameters.AddWithValue("name", $"{ReportProjection.ProjectionName}:All");
        return await command.ExecuteScalarAsync(ct) is long progress ? progress : null;
    }

    private async Task<long> HighestAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {_tables.Schema}.mt_events", connection, tx);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task<long> CountAsync(IEnumerable<string> typeNames, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"select count(*) from {_tables.Schema}.mt_events where type = any(@types)", connection);
        command.Parameters.AddWithValue("types", typeNames.ToArray());
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The next events the reports read after <paramref name="after"/>, up to <paramref name="end"/>, in order.</summary>
    private async Task<List<IEvent>> ReadAsync(long after, long end, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await _reads.EventsAsync(connection, null, "seq_id > @after and seq_id <= @end", limit, ct, ("after", after), ("end", end));
    }
}

[Description("Rebuild the reports beside the live ones while the service runs; they take over when caught up", Name = "rebuild-reports")]
public sealed class RebuildReportsCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var rebuild = new ReportRebuild(host.Services.GetRequiredService<IDocumentStore>(), host.Services.GetRequiredService<NpgsqlDataSource>());
        await rebuild.RunAsync(Console.WriteLine);
        return true;
    }
}
