using System.Data;
using System.Diagnostics;
using System.Text.Json;
using Npgsql;

namespace Cooperation.Benchmarks;

/// <summary>
/// What reading the events takes at the least, beside a projection's rebuild: every row of <c>mt_events</c> in
/// sequence order over one Npgsql connection, each event's <c>data</c> parsed by System.Text.Json into a
/// <see cref="JsonDocument"/>, nothing applied and nothing written.
/// </summary>
public static class ReadBaseline
{
    public static async Task<(TimeSpan Elapsed, long Events)> RunAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var watch = Stopwatch.StartNew();
        await using var select = new NpgsqlCommand(
            $"select seq_id, stream_id, version, type, timestamp, data from {schema}.mt_events order by seq_id", connection);
        await using var reader = await select.ExecuteReaderAsync(CommandBehavior.SequentialAccess);
        long events = 0, check = 0;
        while (await reader.ReadAsync())
        {
            check += reader.GetInt64(0) + reader.GetString(1).Length + reader.GetInt64(2) + reader.GetString(3).Length + reader.GetDateTime(4).Ticks % 2;
            using var data = JsonDocument.Parse(reader.GetString(5));
            check += data.RootElement.GetPropertyCount();
            events++;
        }

        GC.KeepAlive(check); // the columns are read, not just skipped
        return (watch.Elapsed, events);
    }
}
