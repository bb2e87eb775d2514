using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Npgsql;

namespace Cooperation.Api.Audit;

/// <summary>
/// Events as an auditor reads them (domain §4): each with its place (sequence, version), type, data as stored,
/// when it was recorded and when it happened, who did it and in which request, and its link in the chain.
/// </summary>
public sealed class EventHistory(NpgsqlDataSource dataSource, IDocumentStore store)
{
    private readonly string _schema = store.Options.Events.DatabaseSchemaName;
    private readonly FrozenDictionary<string, string?> _businessTimes = BusinessTimes(store);

    /// <summary>The columns every reader of events here selects, <c>e</c> the event and <c>l</c> its link.</summary>
    public const string Columns =
        "e.seq_id, e.stream_id, e.version, e.type, e.data::text, e.timestamp, e.user_name, e.correlation_id, l.hash";

    public string From => $"{_schema}.mt_events e left join {_schema}.{AuditChain.Table} l on l.seq_id = e.seq_id";

    /// <summary>Every event type of every stream.</summary>
    public static IReadOnlyList<Type> StreamEventTypes { get; } = typeof(EventHistory).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IStreamEvent<>)))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    /// <summary>The member of each event type that says when it happened: the last instant named "…At" it declares.</summary>
    public static string? BusinessTimeMember(Type eventType) =>
        eventType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => (p.PropertyType == typeof(DateTimeOffset) || p.PropertyType == typeof(DateTimeOffset?))
                        && p.Name.EndsWith("At", StringComparison.Ordinal))
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .LastOrDefault();

    private static FrozenDictionary<string, string?> BusinessTimes(IDocumentStore store)
    {
        var graph = (Marten.Events.EventGraph)store.Options.Events;
        return StreamEventTypes.ToFrozenDictionary(t => graph.EventMappingFor(t).EventTypeName, BusinessTimeMember, StringComparer.Ordinal);
    }

    /// <summary>The contract a stream belongs to, from its first event (every stream's first event names it); null for none.</summary>
    public async Task<(bool Exists, string? ContractId)> ContractOfAsync(string streamId, CancellationToken ct)
    {
        if (streamId.StartsWith(StreamKeys.ContractPrefix, StringComparison.Ordinal))
        {
            return (await ExistsAsync(streamId, ct), streamId[StreamKeys.ContractPrefix.Length..]);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select data ->> 'contractId' from {_schema}.mt_events where stream_id = @stream and version = 1", connection);
        command.Parameters.AddWithValue("stream", streamId);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                return (true, reader.IsDBNull(0) ? null : reader.GetString(0));
            }
        }

        // A stream without its first event (removed by hand) is still shown, to an auditor of no one municipality.
        return (await ExistsAsync(streamId, ct), null);
    }

    private async Task<bool> ExistsAsync(string streamId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"select exists (select 1 from {_schema}.mt_streams where id = @stream)", connection);
        command.Parameters.AddWithValue("stream", streamId);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Writes the events of a stream from a version on, at most <paramref name="limit"/>; returns the next version if more follow.</summary>
    public async Task<long?> WriteStreamAsync(Utf8JsonWriter json, string streamId, long fromVersion, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select {Columns} from {From} where e.stream_id = @stream and e.version >= @from order by e.version limit @limit", connection);
        command.Parameters.AddWithValue("stream", streamId);
        command.Parameters.AddWithValue("from", fromVersion);
        command.Parameters.AddWithValue("limit", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var written = 0;
        while (await reader.ReadAsync(ct))
        {
            if (written == limit)
            {
                return reader.GetInt64(2);
            }

            Write(json, reader);
            written++;
        }

        return null;
    }

    /// <summary>One event from a row of <see cref="Columns"/>.</summary>
    public void Write(Utf8JsonWriter json, NpgsqlDataReader row)
    {
        var type = row.GetString(3);
        var data = row.GetString(4);
        json.WriteStartObject();
        json.WriteNumber("sequence", row.GetInt64(0));
        json.WriteString("streamId", row.GetString(1));
        json.WriteNumber("version", row.GetInt64(2));
        json.WriteString("type", type);
        json.WritePropertyName("data");
        json.WriteRawValue(data, skipInputValidation: true);
        json.WriteString("recordedAt", new DateTimeOffset(row.GetDateTime(5), TimeSpan.Zero));
        if (BusinessTime(type, data) is { } happened)
        {
            json.WriteString("businessTime", happened);
        }
        else
        {
            json.WriteNull("businessTime");
        }

        WriteText(json, "user", row, 6);
        WriteText(json, "correlationId", row, 7);
        if (row.IsDBNull(8))
        {
            json.WriteNull("hash");
        }
        else
        {
            json.WriteString("hash", Convert.ToHexStringLower((byte[])row[8]));
        }

        json.WriteEndObject();
    }

    private string? BusinessTime(string type, string data)
    {
        if (!_businessTimes.TryGetValue(type, out var member) || member is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(data);
        return document.RootElement.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static void WriteText(Utf8JsonWriter json, string name, NpgsqlDataReader row, int column)
    {
        if (row.IsDBNull(column))
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, row.GetString(column));
        }
    }
}
