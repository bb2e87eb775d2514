using Marten;

namespace Cooperation.Api.Reports;

public static class ReportProgress
{
    /// <summary>
    /// Waits, showing progress, until the report projection has caught up with the latest event: after
    /// seeding the demo, so that its reports are complete when the service says it is ready.
    /// </summary>
    public static async Task WaitAsync(ReportReads store, Action<string> log, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromMinutes(10));
        var shown = -1L;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var (upTo, latest) = await PositionAsync(store, ct);
            if (upTo >= latest)
            {
                log($"Reports: current with all {latest:N0} events.");
                return;
            }

            if (upTo != shown)
            {
                log($"Reports: projecting events, {upTo:N0} of {latest:N0} ({100 * upTo / Math.Max(latest, 1)} %)");
                shown = upTo;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }

        log("Reports: still projecting in the background; the reports fill up as they catch up.");
    }

    /// <summary>The event the reports are current with, and the latest event recorded.</summary>
    public static async Task<(long UpTo, long Latest)> PositionAsync(ReportReads reads, CancellationToken ct = default)
    {
        var current = await reads.CurrencyAsync(ct);
        return (current.UpToSequence, current.LatestSequence);
    }
}
