using Marten;
using Npgsql;

namespace Cooperation.Api.Billing;

/// <summary>
/// The provider's billing lock (ADR 12): every billing change of one provider runs one at a time until its
/// commit, so numbers are gap-free, a quarter gets one live invoice, and a payment never lands on an invoice
/// being cancelled. A request waits at most <paramref name="timeout"/> (configuration
/// <c>Cooperation:BillingLockTimeout</c>), then fails with PostgreSQL's lock_not_available, answered 503.
/// </summary>
public sealed class BillingLock(TimeSpan timeout)
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens the session's transaction and takes the lock. Read what the change depends on after this
    /// (<see cref="BillingWrites"/> does, in each attempt of the write step).
    /// </summary>
    public async Task AcquireAsync(IDocumentSession session, string providerId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch((NpgsqlConnection)session.Connection!)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("select set_config('lock_timeout', $1, true)") { Parameters = { new() { Value = $"{(long)timeout.TotalMilliseconds}ms" } } },
                new NpgsqlBatchCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))") { Parameters = { new() { Value = "billing:" + providerId } } },
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }
}
