using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cooperation.Api.Infrastructure;
using JasperFx;
using JasperFx.CommandLine;
using Marten;
using Npgsql;

namespace Cooperation.Api.Audit;

/// <summary>
/// One hash over the heads of every chain as they stood at the end of a Berlin day: the last link of each stream
/// among the events up to <c>UpToSequence</c>. Kept as an event of its own (stream <c>digest:{day}</c>) and printed
/// for a paper trail, so that a rewrite of whole streams, links and all, shows against a copy kept elsewhere.
/// </summary>
public sealed record ChainDigestRecorded(
    DateOnly Day, long UpToSequence, long Streams, string Digest, DateTimeOffset RecordedAt);

public sealed class ChainDigests(NpgsqlDataSource dataSource, IDocumentStore store, TimeProvider clock)
{
    public const string StreamPrefix = "digest:";

    /// <summary>How long after midnight a day's digest is taken: by then no transaction of the day is still open.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(10);

    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    public static string StreamOf(DateOnly day) => StreamPrefix + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// The last event recorded before the end of a Berlin day, but no further than the projections' high-water mark
    /// where the daemon keeps one: below it every sequence is committed (or given up as a gap), so a transaction still
    /// open cannot add a link under the digest afterwards.
    /// </summary>
    public async Task<long> LastSequenceOfAsync(DateOnly day, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            with day as (select coalesce(max(seq_id), 0) as last from {_schema}.mt_events where timestamp < @end and stream_id <> '{AuditChain.TombstoneStream}')
            select least(day.last, coalesce((select last_seq_id from {_schema}.mt_event_progression where name = 'HighWaterMark'), day.last))
            from day
            """, connection);
        command.Parameters.AddWithValue("end", Berlin.StartOf(day.AddDays(1)).ToUniversalTime());
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Whether the projections' high-water mark has passed the day's last event (or there is none): only then does the
    /// day's digest cover the whole day. The daily job waits for it; a day's digest is recorded once.
    /// </summary>
    public async Task<bool> DayIsSettledAsync(DateOnly day, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select coalesce((select last_seq_id from {_schema}.mt_event_progression where name = 'HighWaterMark'), 9223372036854775807)
                >= (select coalesce(max(seq_id), 0) from {_schema}.mt_events where timestamp < @end and stream_id <> '{AuditChain.TombstoneStream}')
            """, connection);
        command.Parameters.AddWithValue("end", Berlin.StartOf(day.AddDays(1)).ToUniversalTime());
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The digest over the heads of the chains up to a sequence: SHA-256 over one line per stream, in ordinal order
    /// of the stream ids, "streamId version hash". Digest streams themselves are left out, so a digest never covers
    /// itself or a later one.
    /// </summary>
    public async Task<(long Streams, string Digest)> ComputeAsync(long upToSequence, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select stream_id, version, hash from (
              select distinct on (stream_id) stream_id, version, hash from {_schema}.{AuditChain.Table}
              where seq_id <= @upTo and stream_id not like '{StreamPrefix}%'
              order by stream_id, version desc) heads
            order by stream_id collate "C"
            """, connection) { CommandTimeout = AuditChain.FullPassTimeout };
        command.Parameters.AddWithValue("upTo", upToSequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long streams = 0;
        while (await reader.ReadAsync(ct))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{reader.GetString(0)} {reader.GetInt64(1)} {Convert.ToHexStringLower((byte[])reader[2])}\n")));
            streams++;
        }

        return (streams, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    /// <summary>The digest of a day, recorded once: a second call (another node, a retry) gives the one recorded.</summary>
    public async Task<ChainDigestRecorded> RecordAsync(DateOnly day, CancellationToken ct)
    {
        if (await RecordedAsync(day, ct) is { } recorded)
        {
            return recorded;
        }

        var upTo = await LastSequenceOfAsync(day, ct);
        var (streams, digest) = await ComputeAsync(upTo, ct);
        var fresh = new ChainDigestRecorded(day, upTo, streams, digest, clock.GetUtcNow());
        await using var session = store.LightweightSession();
        session.LastModifiedBy = "system:audit-digest";
        session.Events.StartStream(StreamOf(day), fresh);
        try
        {
            await session.SaveChangesAsync(ct);
            return fresh;
        }
        catch (Exception e) when (LostRaces.IsLostRace(e))
        {
            return (await RecordedAsync(day, ct))!;
        }
    }

    public async Task<ChainDigestRecorded?> RecordedAsync(DateOnly day, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamOf(day), token: ct);
        return events.Count > 0 ? events[0].Data as ChainDigestRecorded : null;
    }

    /// <summary>Every digest recorded, oldest first.</summary>
    public async Task<IReadOnlyList<ChainDigestRecorded>> AllRecordedAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.StartsWith(StreamPrefix))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        return [.. events.Select(e => e.Data).OfType<ChainDigestRecorded>()];
    }

    /// <summary>The day whose digest is due now: yesterday in Berlin, once <see cref="Settle"/> has passed.</summary>
    public DateOnly DueDay() => Berlin.DateOf(clock.GetUtcNow() - Settle).AddDays(-1);

    public static string Printable(ChainDigestRecorded d) => string.Create(CultureInfo.InvariantCulture, $"""
        Cooperation audit digest
          day (Europe/Berlin)   {d.Day:yyyy-MM-dd}
          events up to sequence {d.UpToSequence}
          streams               {d.Streams}
          SHA-256               {d.Digest}
          recorded at           {d.RecordedAt:O}
        """);
}

/// <summary>Records the day's digest after midnight, on every node; the first to record it wins, the others read it.</summary>
public sealed class DailyDigest(ChainDigests digests, ILogger<DailyDigest> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(15));
        do
        {
            try
            {
                // Yesterday, and the days of the last month that no node recorded (it was down over midnight).
                var due = digests.DueDay();
                for (var day = due.AddDays(-30); day <= due; day = day.AddDays(1))
                {
                    if (await digests.RecordedAsync(day, stoppingToken) is null)
                    {
                        if (!await digests.DayIsSettledAsync(day, stoppingToken))
                        {
                            log.LogWarning("The audit digest of {Day} waits: the projections' high-water mark is behind its last event", day);
                            break;
                        }

                        var recorded = await digests.RecordAsync(day, stoppingToken);
                        log.LogInformation("Audit digest of {Day}: {Digest} over {Streams} streams up to sequence {UpTo}",
                            recorded.Day, recorded.Digest, recorded.Streams, recorded.UpToSequence);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "The audit digest could not be recorded; trying again later");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public sealed class AuditDigestInput : NetCoreInput
{
    [Description("The Berlin day, yyyy-MM-dd (default: yesterday)")]
    public string DayFlag { get; set; } = string.Empty;
}

[Description("Record (once) and print the digest over every chain's head at the end of a day, for a paper trail", Name = "audit-digest")]
public sealed class AuditDigestCommand : JasperFxAsyncCommand<AuditDigestInput>
{
    public override async Task<bool> Execute(AuditDigestInput input)
    {
        using var host = input.BuildHost();
        var digests = host.Services.GetRequiredService<ChainDigests>();
        DateOnly day;
        if (input.DayFlag.Length == 0)
        {
            day = digests.DueDay();
        }
        else if (!Instants.TryParseDate(input.DayFlag, out day))
        {
            Console.Error.WriteLine("--day must be a date written yyyy-MM-dd.");
            return false;
        }

        await AuditChain.EnsureAsync(host.Services);
        Console.WriteLine(ChainDigests.Printable(await digests.RecordAsync(day, CancellationToken.None)));
        return true;
    }
}
