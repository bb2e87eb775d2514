using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;
using NpgsqlTypes;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Reads and writes the event store's rows directly where the bulk import needs the database's pace (ADR 14).
/// <see cref="StartStreamsAsync"/> starts many new streams in one binary <c>COPY</c> into <c>mt_streams</c> and one into <c>mt_events</c>, inside
/// the caller's transaction (ADR 14). Marten appends one stream per function call; its own
/// <c>BulkInsertEventsAsync</c> copies too, but in a transaction of its own and moving the projections' high-water
/// mark past events of live writers still in flight. Here the rows are what Marten's quick append writes: sequence
/// numbers from the store's sequence, the transaction's time, the user and correlation id. No inline projection
/// runs, so only streams without one (calls) are started this way. A stream that exists already fails the COPY with
/// a unique violation: the caller's lost race.
/// </summary>
public sealed class EventRows(IDocumentStore store)
{
    private readonly IDocumentStore _store = store;
    private readonly EventGraph _events = (EventGraph)((StoreOptions)store.Options).Events;
    private readonly Marten.ISerializer _serializer = store.Options.Serializer();
    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    private const string DefaultTenant = "*DEFAULT*"; // the store is not multi-tenant

    public async Task StartStreamsAsync(
        NpgsqlConnection connection, Type aggregate, IReadOnlyList<StreamEvents> streams, string? user, string? correlationId, CancellationToken ct)
    {
        var count = streams.Sum(s => s.Events.Count);
        if (count == 0)
        {
            return;
        }

        var (sequences, now) = await ReserveAsync(connection, count, ct);
        var aggregateName = _events.AggregateAliasFor(aggregate);
        await using (var rows = await connection.BeginBinaryImportAsync(
            $"copy {_schema}.mt_streams (id, type, version, timestamp, created, tenant_id) from stdin (format binary)", ct))
        {
            foreach (var stream in streams)
            {
                await rows.StartRowAsync(ct);
                await rows.WriteAsync(stream.Key, NpgsqlDbType.Varchar, ct);
                await rows.WriteAsync(aggregateName, NpgsqlDbType.Varchar, ct);
                await rows.WriteAsync((long)stream.Events.Count, NpgsqlDbType.Bigint, ct);
                await rows.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteAsync(DefaultTenant, NpgsqlDbType.Varchar, ct);
            }

            await rows.CompleteAsync(ct);
        }

        await using (var rows = await connection.BeginBinaryImportAsync(
            $"copy {_schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, correlation_id, user_name) from stdin (format binary)", ct))
        {
            var next = 0;
            foreach (var stream in streams)
            {
                var version = 0L;
                foreach (var data in stream.Events)
                {
                    var mapping = _events.EventMappingFor(data.GetType());
                    await rows.StartRowAsync(ct);
                    await rows.WriteAsync(sequences[next++], NpgsqlDbType.Bigint, ct);
                    await rows.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid, ct);
                    await rows.WriteAsync(stream.Key, NpgsqlDbType.Varchar, ct);
                    await rows.WriteAsync(++version, NpgsqlDbType.Bigint, ct);
                    await rows.WriteAsync(_serializer.ToJson(data), NpgsqlDbType.Jsonb, ct);
                    await rows.WriteAsync(mapping.EventTypeName, NpgsqlDbType.Varchar, ct);
                    await rows.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
                    await rows.WriteAsync(DefaultTenant, NpgsqlDbType.Varchar, ct);
                    await rows.WriteAsync(mapping.DotNetTypeName, NpgsqlDbType.Varchar, ct);
                    await WriteNullableAsync(rows, correlationId, ct);
                    await WriteNullableAsync(rows, user, ct);
                }
            }

            await rows.CompleteAsync(ct);
        }
    }

    /// <summary>
    /// The events of the streams, in stream order. Joined from the keys, so that PostgreSQL looks each stream up by
    /// its index, whatever its statistics of a fast-growing events table say (Marten's <c>stream_id = any(…)</c>
    /// became a parallel full scan while an import grew the table).
    /// </summary>
    public async Task<List<(string Key, long Version, object Data)>> ReadStreamsAsync(
        IReadOnlyCollection<string> keys, IReadOnlyCollection<Type> eventTypes, CancellationToken ct)
    {
        var types = eventTypes.ToDictionary(t => _events.EventMappingFor(t).EventTypeName, StringComparer.Ordinal);
        var events = new List<(string, long, object)>();
        if (keys.Count == 0)
        {
            return events;
        }

        await using var connection = _store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select e.stream_id, e.version, e.type, e.data from unnest($1) k(id) join {_schema}.mt_events e on e.stream_id = k.id order by e.stream_id, e.version",
            connection)
        {
            Parameters = { new() { Value = keys.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar } },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = reader.GetString(2);
            var data = types.TryGetValue(type, out var known)
                ? _serializer.FromJson(known, reader, 3)
                : throw new InvalidOperationException($"Stream '{reader.GetString(0)}' holds an event '{type}' not of its kind.");
            events.Add((reader.GetString(0), reader.GetInt64(1), data));
        }

        return events;
    }

    /// <summary>The next sequence numbers, and the transaction's time (what Marten's server timestamps are).</summary>
    private async Task<(long[] Sequences, DateTimeOffset Now)> ReserveAsync(NpgsqlConnection connection, int count, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select nextval('{_schema}.mt_events_sequence'), now() from generate_series(1, $1)", connection)
        {
            Parameters = { new() { Value = count } },
        };
        var sequences = new long[count];
        var now = default(DateTimeOffset);
        await using var reader = await command.ExecuteReaderAsync(ct);
        for (var i = 0; await reader.ReadAsync(ct); i++)
        {
            sequences[i] = reader.GetInt64(0);
            now = reader.GetFieldValue<DateTimeOffset>(1);
        }

        return (sequences, now);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter rows, string? value, CancellationToken ct) =>
        value is null ? rows.WriteNullAsync(ct) : rows.WriteAsync(value, NpgsqlDbType.Varchar, ct);
}
