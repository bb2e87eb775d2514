using System.Collections.Concurrent;
using Npgsql;

namespace Cooperation.Api.Reports;

/// <summary>A generation of the report tables and the last event it has applied.</summary>
public sealed record ReportGeneration(int Number, long Position);

/// <summary>
/// Which generation of the report tables the daemon writes ("live"), which one a rebuild fills beside it
/// ("building"), and which readers see: the newest that has caught up with the events once (ADR 16).
/// </summary>
public sealed class ReportGenerations(ReportStore tables)
{
    private static readonly ConcurrentDictionary<string, Task> Ensured = new();

    /// <summary>Creates the shared tables once per process, on a connection of its own, outside any batch.</summary>
    public static Task EnsureOnceAsync(ReportStore tables, NpgsqlConnection like, CancellationToken ct)
    {
        var task = Ensured.GetOrAdd(tables.Schema, async _ =>
        {
            await using var connection = (NpgsqlConnection)((ICloneable)like).Clone();
            if (connection.State != System.Data.ConnectionState.Open)
            {
                await connection.OpenAsync(CancellationToken.None);
            }

            await tables.EnsureAsync(connection, null, CancellationToken.None);
        });
        if (task.IsFaulted)
        {
            Ensured.TryRemove(tables.Schema, out _);
        }

        return task.WaitAsync(ct);
    }

    /// <summary>
    /// The live generation, locked for this batch. The first batch ever creates it. A batch that starts again at the
    /// first event the reports read means the daemon replays from the start (Marten's <c>projections rebuild</c>):
    /// it fills a new generation, and readers keep the old one until the new one has caught up. Any other batch
    /// goes to the live generation, which applies only what it does not have (a rebuild may have put it ahead of
    /// this daemon).
    /// </summary>
    public async Task<ReportGeneration> LiveForDaemonAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, long firstSequence, string[] typeNames, CancellationToken ct)
    {
        await EnsureOnceAsync(tables, connection, ct);
        var live = await LockLiveAsync(connection, transaction, ct);
        if (live is not null && firstSequence > live.Position)
        {
            return live;
        }

        var first = await IsFirstAsync(connection, transaction, firstSequence, typeNames, ct);
        if (live is not null && !first)
        {
            return live;
        }

        if (live is null && !first)
        {
            // Never a generation from the middle of the events: it would miss every call before them.
            throw new InvalidOperationException(
                $"The reports have no live generation to apply events from {firstSequence} to: run 'rebuild-reports' (ADR 16).");
        }

        if (live is not null)
        {
            await ReportStore.ExecuteAsync(connection, transaction,
                $"update {tables.Generations} set role = 'retired' where generation = {live.Number}", ct);
        }

        var number = await NextNumberAsync(connection, transaction, ct);
        await tables.CreateGenerationAsync(connection, transaction, number, "live", ct);
        return new ReportGeneration(number, 0);
    }

    private async Task<bool> IsFirstAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long sequence, string[] typeNames, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select not exists (select 1 from {tables.Schema}.mt_events where seq_id < @sequence and type = any(@types))", connection, transaction);
        command.Parameters.AddWithValue("sequence", sequence);
        command.Parameters.AddWithValue("types", typeNames);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Records how far a generation has applied. Once it has reached the events stored when it began (or nothing
    /// of the reports' events is left after it), it is ready: readers move to it from the generations it replaces,
    /// and from then on it lags the events like any live projection, saying how far in <c>current</c>.
    /// </summary>
    public async Task AdvanceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ReportGeneration generation, long position, string[] typeNames, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"""
            update {tables.Generations} g set position = @position,
                ready_at = coalesce(g.ready_at, case when @position >= g.target or not exists (
                    select 1 from {tables.Schema}.mt_events e where e.seq_id > @position and e.type = any(@types)) then now() end)
            where generation = @generation
            returning ready_at is not null
            """, connection, transaction);
        command.Parameters.AddWithValue("position", position);
        command.Parameters.AddWithValue("types", typeNames);
        command.Parameters.AddWithValue("generation", generation.Number);
        var ready = (bool)(await command.ExecuteScalarAsync(ct))!;
        if (ready)
        {
            // The generations it replaces stay readable a minute longer for readers that picked them just now.
            await ReportStore.ExecuteAsync(connection, transaction,
                $"update {tables.Generations} set retired_at = now() where role = 'retired' and retired_at is null and generation < {generation.Number}", ct);
            await tables.DropRetiredAsync(connection, transaction, ct);
        }
    }

    /// <summary>
    /// The live generation, with the lock that a daemon batch and a rebuild's switch take in turn. The advisory
    /// lock comes first: a row lock alone would let a batch queued behind a switch find no live row at all.
    /// </summary>
    public async Task<ReportGeneration?> LockLiveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await ReportStore.ExecuteAsync(connection, transaction, $"select pg_advisory_xact_lock(hashtextextended('{tables.Generations}:live', 0))", ct);
        await using var command = new NpgsqlCommand(
            $"select generation, position from {tables.Generations} where role = 'live' for update", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ReportGeneration(reader.GetInt32(0), reader.GetInt64(1)) : null;
    }

    public async Task<int> NextNumberAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select coalesce(max(generation), 0) + 1 from {tables.Generations}", connection, transaction);
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }
}
