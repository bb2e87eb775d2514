using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Cooperation.Benchmarks;

/// <summary>
/// What this machine's PostgreSQL takes right now without any application logic: the event rows the import stored,
/// read back as they are, written with one binary COPY into a table shaped like <c>mt_events</c> (its key and its
/// unique stream version). The import's speed is reported as a fraction of this one, because the machine is noisy.
/// </summary>
public static class CopyBaseline
{
    public static async Task<(TimeSpan Elapsed, long Rows)> RunAsync(string connectionString, string schema, long afterSequence)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"""
            create table {schema}.copy_baseline (
              seq_id bigint primary key, id uuid not null, stream_id varchar not null, version bigint not null,
              data jsonb not null, type varchar(500) not null, timestamp timestamptz not null default now(),
              tenant_id varchar not null default '*DEFAULT*', mt_dotnet_type varchar, correlation_id varchar, user_name varchar,
              unique (stream_id, version))
            """, connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        // Read before the clock starts: the baseline is what PostgreSQL takes to write, not what it takes to read.
        var rows = new List<(string Stream, long Version, string Json, string Type, string? DotnetType)>();
        await using (var select = new NpgsqlCommand(
            $"select stream_id, version, data::text, type, mt_dotnet_type from {schema}.mt_events where seq_id > $1 order by seq_id", connection))
        {
            select.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSequence });
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                    await reader.IsDBNullAsync(4) ? null : reader.GetString(4)));
            }
        }

        var watch = Stopwatch.StartNew();
        await using (var import = await connection.BeginBinaryImportAsync(
            $"copy {schema}.copy_baseline (seq_id, id, stream_id, version, data, type, mt_dotnet_type, correlation_id, user_name) from stdin (format binary)"))
        {
            long seq = 0;
            foreach (var (stream, version, json, type, dotnetType) in rows)
            {
                await import.StartRowAsync();
                await import.WriteAsync(++seq, NpgsqlDbType.Bigint);
                await import.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await import.WriteAsync(stream, NpgsqlDbType.Varchar);
                await import.WriteAsync(version, NpgsqlDbType.Bigint);
                await import.WriteAsync(json, NpgsqlDbType.Jsonb);
                await import.WriteAsync(type, NpgsqlDbType.Varchar);
                await import.WriteAsync(dotnetType, NpgsqlDbType.Varchar);
                await import.WriteAsync("benchmark", NpgsqlDbType.Varchar);
                await import.WriteAsync("acd", NpgsqlDbType.Varchar);
            }

            await import.CompleteAsync();
        }

        return (watch.Elapsed, rows.Count);
    }
}
