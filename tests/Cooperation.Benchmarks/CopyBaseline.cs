using System.Diagnostics;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Cooperation.Benchmarks;

/// <summary>
/// What this machine's PostgreSQL takes right now without any application logic: the same events, serialized as
/// Marten stores them, written with one binary COPY into a table shaped like <c>mt_events</c> (its key and its
/// unique stream version). The import's time is reported as a multiple of this one, because the machine is noisy.
/// </summary>
public static class CopyBaseline
{
    public static async Task<(TimeSpan Elapsed, long Rows)> RunAsync(
        string connectionString, string schema, IDocumentStore store, IEnumerable<(string Stream, int Version, object Data)> events)
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

        // Serialized before the clock starts: the baseline is what PostgreSQL takes, not what we compute.
        var serializer = store.Options.Serializer();
        var rows = events.Select(e => (e.Stream, e.Version, Json: serializer.ToJson(e.Data), Type: CallRecords.TypeName(e.Data), DotnetType: e.Data.GetType().FullName))
            .ToList();
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
                await import.WriteAsync((long)version, NpgsqlDbType.Bigint);
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
