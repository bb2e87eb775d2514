using Npgsql;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>What the serving generation of the report tables holds, as text: two builds of it compare equal or not.</summary>
public static class ReportTables
{
    public static async Task<(int Generation, List<string> Rows)> SnapshotAsync(string connectionString, string schema, string? contractId = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var serving = new NpgsqlCommand(
            $"select generation from {schema}.co_report_generations where ready_at is not null order by generation desc limit 1", connection);
        var generation = (int)(await serving.ExecuteScalarAsync())!;
        var filter = contractId is null ? string.Empty : "where contract_id = @contract";
        var rows = new List<string>();
        foreach (var sql in new[]
        {
            $"select t::text from {schema}.co_report_calls_g{generation} t {filter} order by id",
            $"select t::text from {schema}.co_report_tallies_g{generation} t {filter} order by contract_id, quarter, service_line",
        })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (contractId is not null)
            {
                command.Parameters.AddWithValue("contract", contractId);
            }

            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        return (generation, rows);
    }
}
