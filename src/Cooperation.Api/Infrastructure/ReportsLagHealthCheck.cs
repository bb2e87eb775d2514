using Cooperation.Api.Reports;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// How far the reports' projection is behind the latest event: in events, and in seconds since the oldest event
/// it has not yet applied was recorded. Past <c>Cooperation:ReportsMaxLag</c> (default one minute) the service is
/// <c>degraded</c>: it takes writes, but its reports say less than is recorded.
/// </summary>
public sealed class ReportsLagHealthCheck(IDocumentStore store, ReportReads reads, IConfiguration configuration, TimeProvider clock) : IHealthCheck
{
    public static readonly TimeSpan DefaultMaxLag = TimeSpan.FromMinutes(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var session = store.QuerySession();
        var upTo = (await reads.CurrencyAsync(cancellationToken)).UpToSequence;
        // Stored events only: a rolled-back append (a lost race) uses up sequence numbers but stores nothing. And only
        // those the reports read: before the first of them no generation is ready, and the audit digests a new
        // store gets at once would count as lagging.
        var types = reads.TypeNames;
        var pending = session.Events.QueryAllRawEvents().Where(e => e.Sequence > upTo && e.EventTypeName.IsOneOf(types));
        var eventsBehind = await pending.CountAsync(cancellationToken);
        DateTimeOffset? oldestPending = eventsBehind == 0
            ? null
            : await pending.OrderBy(e => e.Sequence).Select(e => e.Timestamp).FirstAsync(cancellationToken);
        var maxLag = configuration.GetValue("Cooperation:ReportsMaxLag", DefaultMaxLag);
        return Judge(eventsBehind, oldestPending, clock.GetUtcNow(), maxLag);
    }

    /// <summary>Healthy while the oldest pending event is younger than <paramref name="maxLag"/>; degraded after.</summary>
    public static HealthCheckResult Judge(long eventsBehind, DateTimeOffset? oldestPending, DateTimeOffset now, TimeSpan maxLag)
    {
        var behind = eventsBehind == 0 || oldestPending is null ? TimeSpan.Zero : now - oldestPending.Value;
        if (behind < TimeSpan.Zero)
        {
            behind = TimeSpan.Zero; // the database's clock a little ahead of ours
        }

        var data = new Dictionary<string, object>
        {
            ["eventsBehind"] = eventsBehind,
            ["secondsBehind"] = Math.Round(behind.TotalSeconds, 1, MidpointRounding.AwayFromZero),
            ["maxLagSeconds"] = maxLag.TotalSeconds,
        };
        return behind > maxLag
            ? HealthCheckResult.Degraded($"The reports are {eventsBehind:N0} events and {behind.TotalSeconds:N0} s behind (more than {maxLag.TotalSeconds:N0} s).", data: data)
            : HealthCheckResult.Healthy(eventsBehind == 0 ? "The reports are current." : $"The reports are {eventsBehind:N0} events behind.", data);
    }
}
