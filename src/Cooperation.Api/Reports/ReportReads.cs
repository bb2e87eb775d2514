using Cooperation.Api.Infrastructure;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Cooperation.Api.Reports;

/// <summary>
/// The serving generation's tallies of some quarters of a contract, per quarter and service line, how current they
/// are, and the contract as the projection counted them under (null before it has seen the contract).
/// <c>Missing</c>: no generation is ready yet although events of the reports exist (the first build).
/// </summary>
public sealed record ReportTallies(
    IReadOnlyDictionary<(string Quarter, string Line), KpiTally> Tallies, ReportCurrency Current, int? Generation, Contracts.Contract? Counted = null, bool Missing = false)
{
    public IEnumerable<string> Lines(string quarter) => Tallies.Keys.Where(k => k.Quarter == quarter).Select(k => k.Line);

    public KpiTally Of(string quarter, string line) => Tallies.GetValueOrDefault((quarter, line)) ?? new KpiTally();
}

/// <summary>
/// Reads the report tables (ADR 16): the generation readers see is the newest that has caught up once; a report now
/// is one indexed read of a few tally rows, a report as known at an instant reads the quarter's call rows.
/// </summary>
public sealed class ReportReads(NpgsqlDataSource dataSource, IDocumentStore store, TimeSpan? asOfSettled = null)
{
    /// <summary>How old an instant must be before a report as known at it is kept (<c>Cooperation:AsOfSettled</c>).</summary>
    public TimeSpan AsOfSettled { get; } = asOfSettled ?? AsOfCache.Settled;

    private readonly ReportStore _tables = new(store.Options.Events.DatabaseSchemaName);

    public ReportStore Tables => _tables;

    private readonly Marten.Events.EventGraph _graph = (Marten.Events.EventGraph)store.Options.Events;
    private readonly Marten.ISerializer _serializer = store.Options.Serializer();
    private Dictionary<string, Type>? _typeMap;

    private Dictionary<string, Type> _types => _typeMap ??= ReportProjector.TypesByName(_graph);

    /// <summary>Marten's names of the event types the reports read.</summary>
    public string[] TypeNames => [.. _types.Keys];

    public async Task<ReportTallies> TalliesAsync(string contractId, IReadOnlyCollection<Quarter> quarters, CancellationToken ct) =>
        (await NowAsync(contractId, quarters, withContract: false, ct)).Tallies;

    /// <summary>
    /// The contract as it stands and the serving generation's tallies of some of its quarters (all when
    /// <paramref name="quarters"/> is null), in one round trip:
    /// which generation serves (read first, so a report never claims to be more current than its tallies), the
    /// tallies of the one that served last time (read again if it changed), and the contract's snapshot.
    /// </summary>
    public async Task<(Contracts.Contract? Contract, ReportTallies Tallies)> NowAsync(
        string contractId, IReadOnlyCollection<Quarter>? quarters, bool withContract, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ReportGenerations.EnsureOnceAsync(_tables, connection, ct);
        for (var attempt = 1; ; attempt++)
        {
            var generation = _serving;
            if (generation is null)
            {
                var (first, current, _) = await ServingAsync(connection, ct);
                if (first is null)
                {
                    return (withContract ? await ContractAsync(connection, contractId, ct) : null,
                        new ReportTallies(new Dictionary<(string, string), KpiTally>(), current, null, null, await AnyEventAsync(connection, ct)));
                }

                generation = first;
            }

            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(ServingCommand());
            var tallies = new NpgsqlBatchCommand(
                $"select quarter, service_line, {ReportProjector.TallyColumns} from {_tables.Tallies(generation.Value)} " +
                // Two texts, so that the prepared plan of the one-quarter read stays an index lookup.
                (quarters is null ? "where contract_id = $1" : "where contract_id = $1 and quarter = any($2)"));
            tallies.Parameters.Add(new NpgsqlParameter { Value = contractId });
            if (quarters is not null)
            {
                tallies.Parameters.Add(new NpgsqlParameter { Value = quarters.Select(q => q.ToString()).ToArray() });
            }
            batch.BatchCommands.Add(tallies);
            var counted = new NpgsqlBatchCommand($"select id, version, state from {_tables.Contracts(generation.Value)} where id = $1");
            counted.Parameters.Add(new NpgsqlParameter { Value = Infrastructure.StreamKeys.Contract(contractId) });
            batch.BatchCommands.Add(counted);
            if (withContract)
            {
                batch.BatchCommands.Add(ContractCommand(contractId));
            }

            try
            {
                await using var reader = await batch.ExecuteReaderAsync(ct);
                var (serving, current, _) = await ReadServingAsync(reader, ct);
                _serving = serving;
                if (serving != generation)
                {
                    continue;
                }

                await reader.NextResultAsync(ct);
                var found = new Dictionary<(string, string), KpiTally>();
                while (await reader.ReadAsync(ct))
                {
                    var counts = new long[KpiTally.Size];
                    for (var i = 0; i < counts.Length; i++)
                    {
                        counts[i] = reader.GetInt64(i + 2);
                    }

                    found[(reader.GetString(0), reader.GetString(1))] = KpiTally.From(counts);
                }

                await reader.NextResultAsync(ct);
                var countedUnder = await ReadContractAsync(reader, ct);
                Contracts.Contract? contract = null;
                if (withContract)
                {
                    await reader.NextResultAsync(ct);
                    contract = await ReadContractAsync(reader, ct);
                }

                return (contract, new ReportTallies(found, current, generation, countedUnder));
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && attempt < 3)
            {
                // The generation read last time was replaced and dropped since: find the one that serves now.
                _serving = null;
            }
        }
    }

    /// <summary>Whether any event of the reports' types is stored (with no generation ready: figures are missing, not zero).</summary>
    private async Task<bool> AnyEventAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select exists (select 1 from {_tables.Schema}.mt_events where type = any(@types))", connection);
        command.Parameters.AddWithValue("types", TypeNames);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private NpgsqlBatchCommand ContractCommand(string contractId)
    {
        var command = new NpgsqlBatchCommand($"select id, (data ->> 'version')::bigint, data from {_contracts} where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = Infrastructure.StreamKeys.Contract(contractId) });
        return command;
    }

    private async Task<Contracts.Contract?> ContractAsync(NpgsqlConnection connection, string contractId, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { ContractCommand(contractId) } };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await ReadContractAsync(reader, ct);
    }

    /// <summary>A contract's snapshot, deserialised only when its version is not the one read last (contracts change rarely).</summary>
    private async Task<Contracts.Contract?> ReadContractAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var (key, version) = (reader.GetString(0), reader.GetInt64(1));
        if (_lastContracts.TryGetValue(key, out var known) && known.Version == version)
        {
            return known;
        }

        var contract = _serializer.FromJson<Contracts.Contract>(reader, 2);
        _lastContracts[key] = contract;
        return contract;
    }

    /// <summary>The last version read of each contract, by its key (one entry per contract).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Contracts.Contract> _lastContracts = new(StringComparer.Ordinal);

    private readonly string _contracts = store.Options.FindOrResolveDocumentType(typeof(Contracts.Contract)).TableName.QualifiedName;

    /// <summary>The generation that served the last read: a hint, checked in the same round trip as the tallies.</summary>
    private int? _serving;

    /// <summary>
    /// The calls of a contract's quarter as the serving generation holds them, and the events of the reports that
    /// it has not applied yet and were recorded up to <paramref name="asOf"/> (usually the last moments' few):
    /// the report as known at an instant needs both. <see cref="ReportsBehindException"/> when that tail is too long
    /// to read per request (a first build, or a long outage of the projection).
    /// </summary>
    public async Task<(IReadOnlyList<ReportRow> Rows, IReadOnlyList<IEvent> Unapplied)> RowsAsync(
        string contractId, Quarter quarter, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            var (generation, current, position) = await ServingAsync(connection, ct);
            var unapplied = await EventsAsync(connection, null,
                "seq_id > @after and timestamp <= @asOf", MaxUnapplied + 1, ct, ("after", position), ("asOf", asOf.UtcDateTime));
            if (unapplied.Count > MaxUnapplied)
            {
                throw new ReportsBehindException(current);
            }

            if (generation is null)
            {
                return ([], unapplied);
            }

            try
            {
                return (await ReportProjector.ReadRowsAsync(connection, null, _tables.Calls(generation.Value),
                    "contract_id = @contract and quarter = @quarter", ct, ("contract", contractId), ("quarter", quarter.ToString())), unapplied);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable && attempt < 3)
            {
                // A generation replaced a minute ago was dropped between the two reads: read the new one.
            }
        }
    }

    /// <summary>Not yet projected events beyond which an as-of report waits for the projection instead of reading them.</summary>
    public const int MaxUnapplied = 50_000;

    /// <summary>The events of the reports' types matching <paramref name="where"/> (over <c>mt_events</c>), in order, deserialised.</summary>
    public async Task<List<IEvent>> EventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, int limit, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(
            $"select seq_id, stream_id, version, timestamp, type, data from {_tables.Schema}.mt_events " +
            $"where {where} and type = any(@types) order by seq_id limit @limit", connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.Parameters.AddWithValue("types", TypeNames);
        command.Parameters.AddWithValue("limit", limit);
        var events = new List<IEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var type = _types[reader.GetString(4)];
            var e = _graph.EventMappingFor(type).Wrap(_serializer.FromJson(type, reader, 5));
            e.Sequence = reader.GetInt64(0);
            e.StreamKey = reader.GetString(1);
            e.Version = reader.GetInt64(2);
            e.Timestamp = new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero);
            events.Add(e);
        }

        return events;
    }

    /// <summary>A connection on which the report tables exist.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        await ReportGenerations.EnsureOnceAsync(_tables, connection, ct);
        return connection;
    }

    public async Task<ReportCurrency> CurrencyAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await ServingAsync(connection, ct)).Current;
    }

    /// <summary>
    /// The generation readers see: the live one once it has caught up, else the one that was ready last; and how far it is current: the live one with the daemon's
    /// progress (which also passes over events the reports do not read), an older one with its own position.
    /// </summary>
    private async Task<(int? Generation, ReportCurrency Current, long Position)> ServingAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await ReportGenerations.EnsureOnceAsync(_tables, connection, ct);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { ServingCommand() } };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        return await ReadServingAsync(reader, ct);
    }

    private NpgsqlBatchCommand ServingCommand() => new(
        $"""
        select g.generation, g.role = 'live', g.position,
            (select last_seq_id from {_tables.Schema}.mt_event_progression where name = '{ReportProjection.ProjectionName}:All'),
            (select last_seq_id from {_tables.Schema}.mt_event_progression where name = 'HighWaterMark')
        from (select 1) one
        left join lateral (
            select * from {_tables.Generations} where ready_at is not null order by role = 'live' desc, ready_at desc limit 1) g on true
        """);

    private static async Task<(int? Generation, ReportCurrency Current, long Position)> ReadServingAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        await reader.ReadAsync(ct);
        var latest = reader.IsDBNull(4) ? 0 : reader.GetInt64(4);
        if (reader.IsDBNull(0))
        {
            return (null, new ReportCurrency(0, latest), 0);
        }

        var position = reader.GetInt64(2);
        var upTo = reader.GetBoolean(1) && !reader.IsDBNull(3) ? Math.Max(position, reader.GetInt64(3)) : position;
        return (reader.GetInt32(0), new ReportCurrency(upTo, Math.Max(latest, upTo)), position);
    }
}
