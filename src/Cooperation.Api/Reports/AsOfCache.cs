using System.Text.Json;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Cooperation.Api.Reports;

/// <summary>
/// Reports as known at a past instant never change (only events recorded by then count), so each is kept once
/// computed (ADR 16). Only settled instants are kept, judged by the database's clock (events are stamped with
/// their transaction's start): at least <see cref="Settled"/> old, and no transaction that began by then still open,
/// so nothing recorded up to the instant can still appear.
/// </summary>
public static class AsOfCache
{
    /// <summary>Bumped whenever a rule of the figures changes, so reports kept under the old rules are not served.</summary>
    public const int Rules = 1;

    /// <summary>The default of <see cref="ReportReads.AsOfSettled"/>.</summary>
    public static readonly TimeSpan Settled = TimeSpan.FromMinutes(1);

    public static async Task<QuarterlyReport> GetOrComposeAsync(
        ReportReads reads, Contract contract, Quarter quarter, DateTimeOffset asOf, DateTimeOffset now, Func<Task<QuarterlyReport>> compose, CancellationToken ct)
    {
        if (asOf > now - reads.AsOfSettled)
        {
            return await compose();
        }

        var tables = reads.Tables;
        await using var connection = await reads.OpenAsync(ct);
        await using (var settled = new NpgsqlCommand(
            // A session whose state this role may not see (another role's, or activity tracking off) counts as open.
            "select @asOf < now() - @settled and not exists (select 1 from pg_stat_activity " +
            "where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid() " +
            "and (state is null or state = 'disabled' or (state <> 'idle' and (xact_start is null or xact_start <= @asOf))))", connection))
        {
            settled.Parameters.AddWithValue("asOf", asOf.UtcDateTime);
            settled.Parameters.AddWithValue("settled", reads.AsOfSettled);
            if (!(bool)(await settled.ExecuteScalarAsync(ct))!)
            {
                return await compose();
            }
        }

        await using (var find = new NpgsqlCommand(
            $"select report from {tables.AsOfCache} where contract_id = @contract and quarter = @quarter and as_of = @asOf and rules = @rules", connection))
        {
            Key(find, contract, quarter, asOf);
            if (await find.ExecuteScalarAsync(ct) is string json)
            {
                // The same instant, as this caller wrote it.
                return JsonSerializer.Deserialize<QuarterlyReport>(json, ApiJson.Options)! with { AsOf = asOf };
            }
        }

        var report = await compose();
        await using var keep = new NpgsqlCommand(
            $"insert into {tables.AsOfCache} (contract_id, quarter, as_of, rules, report) values (@contract, @quarter, @asOf, @rules, @report) on conflict do nothing",
            connection);
        Key(keep, contract, quarter, asOf);
        keep.Parameters.AddWithValue("report", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(report, ApiJson.Options));
        await keep.ExecuteNonQueryAsync(ct);
        return report;
    }

    private static void Key(NpgsqlCommand command, Contract contract, Quarter quarter, DateTimeOffset asOf)
    {
        command.Parameters.AddWithValue("contract", contract.ContractId);
        command.Parameters.AddWithValue("quarter", quarter.ToString());
        command.Parameters.AddWithValue("asOf", asOf.UtcDateTime);
        command.Parameters.AddWithValue("rules", Rules);
    }
}
