using System.Diagnostics;
using Cooperation.Api.Infrastructure;
using JasperFx;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace Cooperation.Api.Audit;

/// <summary>The first link of a stream that does not hold, and why.</summary>
public sealed record BrokenLink(string StreamId, long Version, long? Sequence, string Problem);

public sealed record VerifyReport(long EventsChecked, long StreamsChecked, IReadOnlyList<BrokenLink> BrokenLinks, double Seconds)
{
    /// <summary>The daily digests recomputed from the chains and compared with the ones recorded.</summary>
    public int DigestsChecked { get; init; }

    public bool Intact => BrokenLinks.Count == 0;
}

/// <summary>
/// Recomputes every stream's chain from its events, here and not in the database: PostgreSQL renders each event's
/// canonical text (the same expression the trigger hashes), SHA-256 and the chaining are done again in .NET, and
/// compared with the stored links (ADR 21). Reads the events and links in one ordered pass, so memory stays flat.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource dataSource, IDocumentStore store, ChainDigests digests)
{
    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    /// <param name="streamId">One stream only; all of them when null.</param>
    public async Task<VerifyReport> VerifyAsync(Action<string>? progress, CancellationToken ct, string? streamId = null)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var total = await CountAsync(connection, transaction, streamId, ct);
        progress?.Invoke($"Verifying the chains of {total:N0} events");

        // A merge of events and links on (stream, version), both in index order: a link without its event, or an
        // event without its link, shows as a row with one side empty.
        await using var command = new NpgsqlCommand($"""
            select j.stream_id, j.version, e.seq_id, l.seq_id, e.type, {AuditChain.MicrosSql("e")},
                   {AuditChain.DataSql("e")}, l.hash, s.version, e.is_archived, e.user_name, e.correlation_id
            from {Only("mt_events", streamId)} e
            full join {Only(AuditChain.Table, streamId)} l using (stream_id, version) as j
            left join {_schema}.mt_streams s on s.id = j.stream_id
            where not coalesce({AuditChain.PlaceholderSql("e")} and l.seq_id is null, false)
            order by j.stream_id, j.version
            """, connection, transaction) { CommandTimeout = AuditChain.FullPassTimeout };
        command.Parameters.AddWithValue("stream", (object?)streamId ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);

        var broken = new List<BrokenLink>();
        long events = 0, streams = 0;
        var stream = new StreamCheck(null, 0);
        var lastReport = Stopwatch.GetTimestamp();
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (id != stream.Id)
            {
                stream.Finish(broken);
                stream = new StreamCheck(id, reader.IsDBNull(8) ? null : reader.GetInt64(8));
                streams++;
            }

            events += reader.IsDBNull(2) ? 0 : 1;
            stream.Check(
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.IsDBNull(2) ? null : AuditChain.Canonical(
                    id, reader.GetString(4), reader.GetInt64(1), reader.GetInt64(5),
                    reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetString(6)),
                reader.IsDBNull(7) ? null : (byte[])reader[7],
                !reader.IsDBNull(9) && reader.GetBoolean(9),
                broken);

            if (progress is not null && Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(2))
            {
                progress($"  {events:N0} of {total:N0} events ({(total == 0 ? 100 : 100.0 * events / total):F0} %), {streams:N0} streams, {broken.Count} broken");
                lastReport = Stopwatch.GetTimestamp();
            }
        }

        stream.Finish(broken);
        await reader.DisposeAsync();
        await transaction.CommitAsync(ct);
        var digestsChecked = 0;
        if (streamId is null)
        {
            foreach (var recorded in await digests.AllRecordedAsync(ct))
            {
                progress?.Invoke($"  digest of {recorded.Day:yyyy-MM-dd}");
                digestsChecked++;
                if ((await digests.ComputeAsync(recorded.UpToSequence, ct)).Digest != recorded.Digest)
                {
                    broken.Add(new BrokenLink(ChainDigests.StreamOf(recorded.Day), 1, recorded.UpToSequence,
                        $"the chains' heads up to sequence {recorded.UpToSequence} no longer give the digest recorded for {recorded.Day:yyyy-MM-dd}: streams were rewritten, added or removed since"));
                }
            }
        }

        var report = new VerifyReport(events, streams, broken, Math.Round(clock.Elapsed.TotalSeconds, 2)) { DigestsChecked = digestsChecked };
        progress?.Invoke($"Checked {events:N0} events in {streams:N0} streams and {digestsChecked} daily digest(s) in {report.Seconds:F1} s: " +
            (report.Intact ? "every chain is intact." : $"{broken.Count} stream(s) with a broken link."));
        return report;
    }

    private async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string? streamId, CancellationToken ct)
    {
        await using var count = new NpgsqlCommand($"select count(*) from {Only("mt_events", streamId)} e where not {AuditChain.PlaceholderSql("e")}", connection, transaction)
        {
            CommandTimeout = AuditChain.FullPassTimeout,
        };
        count.Parameters.AddWithValue("stream", (object?)streamId ?? DBNull.Value);
        return (long)(await count.ExecuteScalarAsync(ct))!;
    }

    /// <summary>A table of the schema, or only one stream's rows of it.</summary>
    private string Only(string table, string? streamId) =>
        streamId is null ? $"{_schema}.{table}" : $"(select * from {_schema}.{table} where stream_id = @stream)";

    /// <summary>One stream's walk: the chain recomputed link by link; the first link that fails is its report.</summary>
    private sealed class StreamCheck(string? id, long? streamVersion)
    {
        private byte[] _previous = [];
        private long _version;
        private long _sequence;
        private BrokenLink? _broken;

        public string? Id => id;

        public void Check(long version, long? sequence, long? linkSequence, string? canonical, byte[]? hash, bool archived, List<BrokenLink> broken)
        {
            if (_broken is not null)
            {
                return;
            }

            var problem =
                sequence is null ? "the event is missing: its link is stored but the event is not (deleted?)"
                : hash is null ? "the event has no link: it was not written by the service (inserted by hand?)"
                : archived ? "the event is archived, which hides it from every read: the service archives nothing, so it was hidden by hand"
                : version != _version + 1 ? $"version {version} follows version {_version}: an event is missing or the versions were changed"
                : sequence <= _sequence ? $"the event's sequence {sequence} is not after the previous event's {_sequence}: the events were reordered"
                : linkSequence != sequence ? $"the link was written for sequence {linkSequence}, not for this event's {sequence}: the events were reordered or replaced"
                : null;
            if (problem is null)
            {
                var computed = AuditChain.Link(_previous, canonical!);
                if (!computed.AsSpan().SequenceEqual(hash))
                {
                    problem = "the hash does not match the event: its type, version, recorded time or data were changed, or an earlier link was";
                }
                else
                {
                    _previous = computed;
                }
            }

            if (problem is not null)
            {
                _broken = new BrokenLink(id!, version, sequence ?? linkSequence, problem);
                broken.Add(_broken);
            }

            _version = version;
            _sequence = sequence ?? _sequence;
        }

        public void Finish(List<BrokenLink> broken)
        {
            if (id is null || _broken is not null || streamVersion is null || streamVersion == _version)
            {
                return;
            }

            broken.Add(new BrokenLink(id, _version, null,
                $"the stream is at version {streamVersion} but its events end at version {_version}: events were deleted from its end, or added by hand"));
        }
    }
}

/// <summary>The answer to <c>GET /api/audit/verify</c>: the first <see cref="Limits.MaxPage"/> breaks, and how many there are.</summary>
public sealed record VerifyAnswer(
    long EventsChecked, long StreamsChecked, int DigestsChecked, int BrokenLinkCount, IReadOnlyList<BrokenLink> BrokenLinks, double Seconds);

public static class VerifyEndpoint
{
    /// <summary>Every chain of the store: for an auditor of no one municipality, since it reads every stream.</summary>
    /// <param name="streamId">Only this stream's chain.</param>
    [WolverineGet("/api/audit/verify")]
    [Authorize(Roles = Roles.Auditor)]
    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.OneAtATime)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<VerifyAnswer>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Get(HttpContext http, ChainVerifier verifier, string? streamId, CancellationToken ct)
    {
        if (Caller.From(http.User).Municipality is { } municipality)
        {
            return Results.Problem(Problems.Forbidden(
                $"Verifying reads every stream of every municipality; you act for '{municipality}'. Ask an auditor of no one municipality."));
        }

        var report = await verifier.VerifyAsync(null, ct, streamId);
        // The first breaks only, and how many there are: `audit-verify` lists them all.
        return Results.Json(new VerifyAnswer(
            report.EventsChecked, report.StreamsChecked, report.DigestsChecked, report.BrokenLinks.Count,
            [.. report.BrokenLinks.Take(Limits.MaxPage)], report.Seconds), ApiJson.Options);
    }
}

public sealed class AuditVerifyInput : NetCoreInput
{
    [Description("A digest kept elsewhere, as printed by audit-digest: '<up-to sequence>:<SHA-256>'")]
    public string KeptFlag { get; set; } = string.Empty;
}

[Description("Recompute every event's hash chain and the daily digests, and report the first broken link of each stream", Name = "audit-verify")]
public sealed class AuditVerifyCommand : JasperFxAsyncCommand<AuditVerifyInput>
{
    public override async Task<bool> Execute(AuditVerifyInput input)
    {
        using var host = input.BuildHost();
        await AuditChain.EnsureAsync(host.Services);
        var kept = input.KeptFlag.Split(':');
        if (input.KeptFlag.Length > 0 && (kept.Length != 2 || !long.TryParse(kept[0], System.Globalization.CultureInfo.InvariantCulture, out _)))
        {
            Console.Error.WriteLine("--kept must be '<up-to sequence>:<SHA-256>', as audit-digest prints them.");
            return false;
        }

        var report = await host.Services.GetRequiredService<ChainVerifier>().VerifyAsync(Console.WriteLine, CancellationToken.None);
        var keptHolds = true;
        if (input.KeptFlag.Length > 0)
        {
            var (_, digest) = await host.Services.GetRequiredService<ChainDigests>().ComputeAsync(long.Parse(kept[0], System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
            keptHolds = string.Equals(digest, kept[1], StringComparison.OrdinalIgnoreCase);
            Console.WriteLine(keptHolds
                ? $"The digest kept for sequence {kept[0]} holds."
                : $"The digest kept for sequence {kept[0]} does NOT hold: the chains' heads now give {digest}.");
        }
        foreach (var link in report.BrokenLinks)
        {
            Console.WriteLine($"  {link.StreamId} version {link.Version} (sequence {link.Sequence?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}): {link.Problem}");
        }

        return report.Intact && keptHolds;
    }
}
