using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace Cooperation.Api.Reports;

/// <summary>
/// Applies a batch of events to one generation of the report tables (ADR 16), in the caller's transaction: the
/// daemon's batches live, and the bulk rebuild's chunks. Each touched call takes out of its quarter's tally what it
/// added before and adds what it adds now; a contract change that moves what calls contribute (thresholds dated
/// back, the calendar) recounts the quarters it reaches from the stored rows. Nothing is held between batches.
/// </summary>
public sealed class ReportProjector(ReportStore tables, Marten.ISerializer serializer)
{
    /// <summary>Marten's names of <see cref="EventTypes"/>: what the tables' queries of the events filter by.</summary>
    public static Dictionary<string, Type> TypesByName(Marten.Events.EventGraph graph) =>
        EventTypes.ToDictionary(t => graph.EventMappingFor(t).EventTypeName, StringComparer.Ordinal);

    /// <summary>The event types the reports depend on.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } =
    [
        .. Aggregates.EventTypesOf<Call>(),
        .. Aggregates.EventTypesOf<Contract>(),
        typeof(ReferralOpened),
        typeof(ReferralAnswered),
        typeof(AppointmentBooked),
    ];

    private const string RowColumns =
        "id, contract_id, quarter, service_line, offered_at, answered_at, abandoned_at, completed_at, outcome, corrections, " +
        "referral_id, referral_answered_at, appointments, first_recorded, last_recorded";

    public static string TallyColumns { get; } =
        string.Join(", ", Enum.GetNames<KpiTally.Counter>().Select(ColumnOf));

    public static string ColumnOf(string counter) => string.Concat(counter.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>Where a bulk rebuild's time goes: reading rows and contracts, folding and counting, writing.</summary>
    public (System.Diagnostics.Stopwatch Reading, System.Diagnostics.Stopwatch Counting, System.Diagnostics.Stopwatch Writing) Timings { get; } = (new(), new(), new());

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        Timings.Reading.Start();
        var callKeys = new HashSet<string>();
        var offeredHere = new HashSet<string>();
        var referralIds = new HashSet<string>();
        var contractKeys = new HashSet<string>();
        foreach (var e in events)
        {
            switch (e.Data)
            {
                case CallOffered offered:
                    offeredHere.Add(e.StreamKey!);
                    contractKeys.Add(StreamKeys.Contract(offered.ContractId));
                    break;
                case IStreamEvent<Call>:
                    callKeys.Add(e.StreamKey!);
                    break;
                case ReferralOpened o:
                    callKeys.Add(StreamKeys.Call(o.CallId));
                    break;
                case ReferralAnswered a:
                    referralIds.Add(a.ReferralId);
                    break;
                case AppointmentBooked { CallId: { } callId }:
                    callKeys.Add(StreamKeys.Call(callId));
                    break;
                case IStreamEvent<Contract>:
                    contractKeys.Add(e.StreamKey!);
                    break;
            }
        }

        // A call offered in this batch has no row yet: only the others are looked up (in a rebuild, few).
        callKeys.ExceptWith(offeredHere);
        var before = await ReadRowsAsync(connection, transaction, tables.Calls(generation),
            "id = any(@keys) or referral_id = any(@referrals)", ct, ("keys", callKeys.ToArray()), ("referrals", referralIds.ToArray()));
        var beforeById = before.ToDictionary(r => r.Id);
        var rows = new Dictionary<string, ReportRow>(beforeById);
        var callOfReferral = before.Where(r => r.ReferralId is not null).ToDictionary(r => r.ReferralId!, r => r.Id);
        contractKeys.UnionWith(before.Select(r => StreamKeys.Contract(r.ContractId)));
        var contractsBefore = await ReadContractsAsync(connection, transaction, generation, contractKeys, ct);
        Timings.Reading.Stop();
        Timings.Counting.Start();
        var contracts = new Dictionary<string, Contract>(contractsBefore);
        var changedContracts = new HashSet<string>();
        var touched = new HashSet<string>();

        foreach (var e in events)
        {
            switch (e.Data)
            {
                case CallOffered o:
                    // A repeat of a stored offer never reaches the store, so a second offer of one key cannot occur.
                    rows[e.StreamKey!] = ReportRow.Offered(o, e.Timestamp);
                    touched.Add(e.StreamKey!);
                    break;
                case IStreamEvent<Call> when rows.TryGetValue(e.StreamKey!, out var row):
                    rows[row.Id] = row.Then(e.Data).RecordedAt(e.Timestamp);
                    touched.Add(row.Id);
                    break;
                case ReferralOpened o when rows.TryGetValue(StreamKeys.Call(o.CallId), out var row):
                    rows[row.Id] = row with { ReferralId = o.ReferralId, LastRecorded = Later(row.LastRecorded, e.Timestamp) };
                    callOfReferral[o.ReferralId] = row.Id;
                    touched.Add(row.Id);
                    break;
                case ReferralAnswered a when callOfReferral.TryGetValue(a.ReferralId, out var key):
                    // As the referral's fold: the latest answer is the one that counts.
                    rows[key] = rows[key] with { ReferralAnsweredAt = a.AnsweredAt, LastRecorded = Later(rows[key].LastRecorded, e.Timestamp) };
                    touched.Add(key);
                    break;
                case AppointmentBooked { CallId: { } callId } when rows.TryGetValue(StreamKeys.Call(callId), out var row):
                    rows[row.Id] = row with { Appointments = row.Appointments + 1, LastRecorded = Later(row.LastRecorded, e.Timestamp) };
                    touched.Add(row.Id);
                    break;
                case IStreamEvent<Contract>:
                    contracts[e.StreamKey!] = Contract.When(contracts.GetValueOrDefault(e.StreamKey!), e.Data).AtVersion(e.Version);
                    changedContracts.Add(e.StreamKey!);
                    break;
            }
        }

        // What each touched call took out and adds now, per contract, quarter and line.
        var deltas = new Dictionary<(string Contract, string Quarter, string Line), KpiTally>();
        foreach (var key in touched)
        {
            var row = rows[key];
            var contractKey = StreamKeys.Contract(row.ContractId);
            var delta = deltas.TryGetValue((row.ContractId, row.Quarter, row.ServiceLine), out var d) ? d
                : deltas[(row.ContractId, row.Quarter, row.ServiceLine)] = new KpiTally();
            if (beforeById.TryGetValue(key, out var was) && contractsBefore.TryGetValue(contractKey, out var old))
            {
                delta.Add(was.ContributionUnder(old, CalendarOf(old)), -1);
            }

            if (contracts.TryGetValue(contractKey, out var now))
            {
                delta.Add(row.ContributionUnder(now, CalendarOf(now)));
            }
        }

        Timings.Counting.Stop();
        Timings.Writing.Start();

        // Calls new to the tables are copied in (most of them in a rebuild); known ones are updated.
        await CopyRowsAsync(connection, generation, touched.Where(k => !beforeById.ContainsKey(k)).Select(k => rows[k]), ct);
        await WriteRowsAsync(connection, transaction, generation, touched.Where(beforeById.ContainsKey).Select(k => rows[k]).ToList(), ct);
        await WriteContractsAsync(connection, transaction, generation, changedContracts.Select(k => (k, contracts[k])), ct);
        await AddToTalliesAsync(connection, transaction, generation, deltas, ct);

        foreach (var key in changedContracts)
        {
            if (ContractReach.Of(contractsBefore.GetValueOrDefault(key), contracts[key]) is { } from)
            {
                await RecountAsync(connection, transaction, generation, contracts[key], from, ct);
            }
        }

        Timings.Writing.Stop();
    }

    /// <summary>A contract's calendar, kept per contract and version: a version's hours and closure days never change.</summary>
    private ServiceCalendar CalendarOf(Contract contract)
    {
        if (_calendars.Count > 10_000)
        {
            _calendars.Clear();
        }

        return _calendars.GetOrAdd((contract.Id, contract.Version), _ => ServiceCalendar.For(contract));
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, long), ServiceCalendar> _calendars = new();

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>Counts the contract's quarters from <paramref name="from"/> on again, from the stored rows, under its current terms.</summary>
    private async Task RecountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, Contract contract, DateOnly from, CancellationToken ct)
    {
        var first = from == DateOnly.MinValue ? string.Empty : Quarter.Of(from).ToString();
        var rows = await ReadRowsAsync(connection, transaction, tables.Calls(generation), "contract_id = @contract and quarter >= @first", ct,
            ("contract", contract.ContractId), ("first", first));
        var calendar = ServiceCalendar.For(contract);
        var tallies = new Dictionary<(string Contract, string Quarter, string Line), KpiTally>();
        foreach (var row in rows)
        {
            var key = (row.ContractId, row.Quarter, row.ServiceLine);
            (tallies.TryGetValue(key, out var t) ? t : tallies[key] = new KpiTally()).Add(row.ContributionUnder(contract, calendar));
        }

        await using (var delete = new NpgsqlCommand($"delete from {tables.Tallies(generation)} where contract_id = @contract and quarter >= @first", connection, transaction))
        {
            delete.Parameters.AddWithValue("contract", contract.ContractId);
            delete.Parameters.AddWithValue("first", first);
            await delete.ExecuteNonQueryAsync(ct);
        }

        await AddToTalliesAsync(connection, transaction, generation, tallies, ct);
    }

    public static async Task<List<ReportRow>> ReadRowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string table, string where, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand($"select {RowColumns} from {table} where {where}", connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<ReportRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ReportRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Instant(reader, 4)!.Value,
                Instant(reader, 5), Instant(reader, 6), Instant(reader, 7),
                reader.IsDBNull(8) ? null : (CallOutcome)reader.GetInt16(8), reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), Instant(reader, 11), reader.GetInt32(12),
                Instant(reader, 13)!.Value, Instant(reader, 14)!.Value));
        }

        return rows;
    }

    private static DateTimeOffset? Instant(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : new DateTimeOffset(reader.GetDateTime(column), TimeSpan.Zero);

    private async Task<Dictionary<string, Contract>> ReadContractsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, IEnumerable<string> keys, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select id, state from {tables.Contracts(generation)} where id = any(@keys)", connection, transaction);
        command.Parameters.AddWithValue("keys", keys.ToArray());
        var contracts = new Dictionary<string, Contract>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            contracts[reader.GetString(0)] = serializer.FromJson<Contract>(reader, 1);
        }

        return contracts;
    }

    private async Task WriteContractsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, IEnumerable<(string Key, Contract Contract)> contracts, CancellationToken ct)
    {
        foreach (var (key, contract) in contracts)
        {
            await using var command = new NpgsqlCommand(
                $"insert into {tables.Contracts(generation)} (id, version, state) values (@id, @version, @state) " +
                "on conflict (id) do update set version = excluded.version, state = excluded.state", connection, transaction);
            command.Parameters.AddWithValue("id", key);
            command.Parameters.AddWithValue("version", contract.Version);
            command.Parameters.AddWithValue("state", NpgsqlDbType.Jsonb, serializer.ToJson(contract));
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private async Task WriteRowsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, IReadOnlyList<ReportRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            $"""
            insert into {tables.Calls(generation)} ({RowColumns})
            select * from unnest(@id, @contract, @quarter, @line, @offered, @answered, @abandoned, @completed, @outcome, @corrections,
                                 @referral, @referral_answered, @appointments, @first, @last)
            on conflict (id) do update set
                answered_at = excluded.answered_at, abandoned_at = excluded.abandoned_at, completed_at = excluded.completed_at,
                outcome = excluded.outcome, corrections = excluded.corrections, referral_id = excluded.referral_id,
                referral_answered_at = excluded.referral_answered_at, appointments = excluded.appointments,
                last_recorded = excluded.last_recorded
            """, connection, transaction);
        var p = command.Parameters;
        p.AddWithValue("id", rows.Select(r => r.Id).ToArray());
        p.AddWithValue("contract", rows.Select(r => r.ContractId).ToArray());
        p.AddWithValue("quarter", rows.Select(r => r.Quarter).ToArray());
        p.AddWithValue("line", rows.Select(r => r.ServiceLine).ToArray());
        p.AddWithValue("offered", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => r.OfferedAt.UtcDateTime).ToArray());
        p.Add(Instants("answered", rows.Select(r => r.AnsweredAt)));
        p.Add(Instants("abandoned", rows.Select(r => r.AbandonedAt)));
        p.Add(Instants("completed", rows.Select(r => r.CompletedAt)));
        p.Add(new NpgsqlParameter("outcome", NpgsqlDbType.Array | NpgsqlDbType.Smallint)
        {
            Value = rows.Select(r => r.Outcome is { } o ? (object)(short)o : DBNull.Value).ToArray(),
        });
        p.AddWithValue("corrections", rows.Select(r => r.Corrections).ToArray());
        p.Add(new NpgsqlParameter("referral", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = rows.Select(r => (object?)r.ReferralId ?? DBNull.Value).ToArray(),
        });
        p.Add(Instants("referral_answered", rows.Select(r => r.ReferralAnsweredAt)));
        p.AddWithValue("appointments", rows.Select(r => r.Appointments).ToArray());
        p.AddWithValue("first", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => r.FirstRecorded.UtcDateTime).ToArray());
        p.AddWithValue("last", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => r.LastRecorded.UtcDateTime).ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task CopyRowsAsync(NpgsqlConnection connection, int generation, IEnumerable<ReportRow> rows, CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy {tables.Calls(generation)} ({RowColumns}) from stdin (format binary)", ct);
        foreach (var r in rows)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(r.Id, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.ContractId, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.Quarter, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.ServiceLine, NpgsqlDbType.Text, ct);
            await copy.WriteAsync(r.OfferedAt.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await WriteAsync(copy, r.AnsweredAt, ct);
            await WriteAsync(copy, r.AbandonedAt, ct);
            await WriteAsync(copy, r.CompletedAt, ct);
            if (r.Outcome is { } outcome)
            {
                await copy.WriteAsync((short)outcome, NpgsqlDbType.Smallint, ct);
            }
            else
            {
                await copy.WriteNullAsync(ct);
            }

            await copy.WriteAsync(r.Corrections, NpgsqlDbType.Integer, ct);
            if (r.ReferralId is { } referral)
            {
                await copy.WriteAsync(referral, NpgsqlDbType.Text, ct);
            }
            else
            {
                await copy.WriteNullAsync(ct);
            }

            await WriteAsync(copy, r.ReferralAnsweredAt, ct);
            await copy.WriteAsync(r.Appointments, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(r.FirstRecorded.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(r.LastRecorded.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        }

        await copy.CompleteAsync(ct);
    }

    private static async Task WriteAsync(NpgsqlBinaryImporter copy, DateTimeOffset? instant, CancellationToken ct)
    {
        if (instant is { } i)
        {
            await copy.WriteAsync(i.UtcDateTime, NpgsqlDbType.TimestampTz, ct);
        }
        else
        {
            await copy.WriteNullAsync(ct);
        }
    }

    private static NpgsqlParameter Instants(string name, IEnumerable<DateTimeOffset?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = values.Select(v => v is { } i ? (object)i.UtcDateTime : DBNull.Value).ToArray(),
        };

    private async Task AddToTalliesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, int generation,
        Dictionary<(string Contract, string Quarter, string Line), KpiTally> deltas, CancellationToken ct)
    {
        if (deltas.Count == 0)
        {
            return;
        }

        var names = Enum.GetNames<KpiTally.Counter>().Select(ColumnOf).ToArray();
        await using var command = new NpgsqlCommand(
            $"""
            insert into {tables.Tallies(generation)} (contract_id, quarter, service_line, {TallyColumns})
            select * from unnest(@contract, @quarter, @line, {string.Join(", ", names.Select(n => "@" + n))})
            on conflict (contract_id, quarter, service_line) do update set
                {string.Join(", ", names.Select(n => $"{n} = {tables.Tallies(generation)}.{n} + excluded.{n}"))}
            """, connection, transaction);
        var keys = deltas.Keys.ToList();
        command.Parameters.AddWithValue("contract", keys.Select(k => k.Contract).ToArray());
        command.Parameters.AddWithValue("quarter", keys.Select(k => k.Quarter).ToArray());
        command.Parameters.AddWithValue("line", keys.Select(k => k.Line).ToArray());
        for (var i = 0; i < names.Length; i++)
        {
            var counter = i;
            command.Parameters.AddWithValue(names[i], keys.Select(k => deltas[k].Counts[counter]).ToArray());
        }

        await command.ExecuteNonQueryAsync(ct);
    }
}
