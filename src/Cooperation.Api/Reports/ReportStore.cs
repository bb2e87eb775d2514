using Npgsql;

namespace Cooperation.Api.Reports;

/// <summary>
/// The report projection's tables (ADR 16). Each generation has its own three tables: one row per call with what
/// the figures need of it, the contracts as the projection has folded them, and the tallies per contract, quarter
/// and service line. Readers read the newest generation that has caught up once, so a generation being built
/// beside the live one is never seen half-built.
/// </summary>
public sealed class ReportStore(string schema)
{
    public string Schema { get; } = schema;

    public string Generations => $"{Schema}.co_report_generations";

    public string AsOfCache => $"{Schema}.co_report_asof";

    public string Calls(int generation) => $"{Schema}.co_report_calls_g{generation}";

    public string Tallies(int generation) => $"{Schema}.co_report_tallies_g{generation}";

    public string Contracts(int generation) => $"{Schema}.co_report_contracts_g{generation}";

    /// <summary>Creates the shared tables if missing; serialized by an advisory lock, so racing nodes do not collide.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, $"""
            select pg_advisory_xact_lock(hashtextextended('{Generations}', 0));
            create schema if not exists {Schema};
            create table if not exists {Generations} (
                generation int primary key,
                role text not null check (role in ('live', 'building', 'retired')),
                position bigint not null default 0,
                target bigint not null default 0,
                created_at timestamptz not null default now(),
                ready_at timestamptz,
                retired_at timestamptz);
            create unique index if not exists co_report_generations_one_live on {Generations} (role) where role = 'live';
            create table if not exists {AsOfCache} (
                contract_id text not null,
                quarter text not null,
                as_of timestamptz not null,
                rules int not null,
                report jsonb not null,
                primary key (contract_id, quarter, as_of, rules));
            """, ct);
    }

    /// <summary>A new generation's tables (dropped first if a rolled-back attempt left some).</summary>
    public async Task CreateGenerationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int generation, string role, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, $"""
            drop table if exists {Calls(generation)}, {Tallies(generation)}, {Contracts(generation)};
            create table {Calls(generation)} (
                id text primary key,
                contract_id text not null,
                quarter text not null,
                service_line text not null,
                offered_at timestamptz not null,
                answered_at timestamptz,
                abandoned_at timestamptz,
                completed_at timestamptz,
                outcome smallint,
                corrections int not null,
                referral_id text,
                referral_answered_at timestamptz,
                appointments int not null,
                first_recorded timestamptz not null,
                last_recorded timestamptz not null);
            {ReadIndex(generation)};
            create index on {Calls(generation)} (referral_id) where referral_id is not null;
            create table {Tallies(generation)} (
                contract_id text not null,
                quarter text not null,
                service_line text not null,
                {string.Join(", ", ReportProjector.TallyColumns.Split(", ").Select(c => c + " bigint not null default 0"))},
                primary key (contract_id, quarter, service_line));
            create table {Contracts(generation)} (id text primary key, version bigint not null, state jsonb not null);
            insert into {Generations} (generation, role, target)
                values ({generation}, '{role}', (select coalesce(max(seq_id), 0) from {Schema}.mt_events));
            """, ct);
    }

    /// <summary>
    /// The index readers use, and a recount of a contract's quarters: from the start also in a generation being
    /// built, where a recount for a calendar change in the history would otherwise read the whole table.
    /// </summary>
    public string ReadIndex(int generation) => $"create index if not exists co_report_calls_g{generation}_quarter on {Calls(generation)} (contract_id, quarter)";

    /// <summary>Drops the tables of generations retired more than a minute ago: no reader still holds one of them.</summary>
    public async Task DropRetiredAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var retired = new List<int>();
        await using (var select = new NpgsqlCommand(
            $"delete from {Generations} where role = 'retired' and retired_at < now() - interval '1 minute' returning generation", connection, transaction))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                retired.Add(reader.GetInt32(0));
            }
        }

        foreach (var g in retired)
        {
            await ExecuteAsync(connection, transaction, $"drop table if exists {Calls(g)}, {Tallies(g)}, {Contracts(g)}", ct);
        }
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}
