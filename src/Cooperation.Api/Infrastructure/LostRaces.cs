using JasperFx;
using JasperFx.Events;
using Npgsql;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// What counts as a lost race (the write step decides again on one: ADR 14).
/// </summary>
public static class LostRaces
{
    /// <summary>Another writer changed or started the same stream first, or the database chose us as a deadlock's victim.</summary>
    public static bool IsLostRace(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ConcurrencyException or EventStreamUnexpectedMaxEventIdException or ExistingStreamIdCollisionException
                or Marten.Exceptions.ExistingStreamIdCollisionException or Marten.Exceptions.ConcurrentUpdateException
                or PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or "MT003" or WriteStep.StaleRead })
            {
                return true;
            }
        }

        return false;
    }
}
