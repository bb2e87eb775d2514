using JasperFx;
using JasperFx.Events;
using Marten;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Saves inside the handler rather than in Wolverine's transactional middleware, so that a request that
/// loses a race for the same stream can be answered like the retry it may be (ADR 8): the pending changes
/// are dropped and <paramref name="whenRaced"/> looks at what the winner recorded.
/// </summary>
public static class RaceSafeSave
{
    public static async Task<IResult> SaveAsync(IDocumentSession session, IResult saved, Func<Task<IResult?>> whenRaced, CancellationToken ct)
    {
        try
        {
            await session.SaveChangesAsync(ct);
            return saved;
        }
        catch (Exception e) when (IsLostRace(e))
        {
            session.EjectAllPendingChanges();
            var answer = await whenRaced();
            if (answer is null)
            {
                // Nothing to compare with after all: the central handler answers 409.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e);
            }

            return answer;
        }
    }

    /// <summary>Another writer changed or started the same stream first.</summary>
    public static bool IsLostRace(Exception e) =>
        e is ConcurrencyException or ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException;

    /// <summary>As above, with <paramref name="whenRaced"/> given the winner's state of the stream, read afresh.</summary>
    public static Task<IResult> SaveAsync<T>(
        IDocumentSession session, IDocumentStore store, string streamKey, IResult saved, Func<T, IResult?> whenRaced, CancellationToken ct)
        where T : class =>
        SaveAsync(session, saved, async () =>
        {
            await using var fresh = store.QuerySession();
            var winner = await fresh.Events.AggregateStreamAsync<T>(streamKey, token: ct);
            return winner is null ? null : whenRaced(winner);
        }, ct);
}
