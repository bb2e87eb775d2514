using JasperFx;
using JasperFx.Events;
using Npgsql;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// A write that loses a race (another request appended to the same stream, or started it, between our read
/// and our save) is run again from the start: it loads the winner's state and decides again, so it is then
/// appended, answered as the exact repeat it is, or refused. Never answered as a success without being stored.
/// (ADR 13)
/// </summary>
public static class LostRaces
{
    /// <summary>After this many lost races, or <see cref="Budget"/>, the request is answered 409 (nothing stored).</summary>
    public const int Attempts = 30;

    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The largest JSON body taken (kept in memory for a second attempt). A contract, the biggest request, is a few KB;
    /// the bulk import streams and is not bound by it.
    /// </summary>
    public const int MaxBody = 4 * 1024 * 1024;

    public static IApplicationBuilder UseLostRaceRetries(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            // After authorization and only for a route that exists: nobody else gets a body kept.
            if (!HttpMethods.IsPost(request.Method) || IsStreamed(request) || context.GetEndpoint() is null)
            {
                await next(context);
                return;
            }

            var body = request.ContentLength > MaxBody ? null : await ReadBodyAsync(request, context.RequestAborted);
            if (body is null)
            {
                await Problems.WriteAsync(context, new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "The request body is too large",
                    Detail = $"A request body of this endpoint holds at most {MaxBody / 1024 / 1024} MB.",
                });
                return;
            }

            var started = System.Diagnostics.Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                // A fresh stream each time: the body's pipe reader of the last attempt is spent.
                request.Body = new MemoryStream(body, writable: false);

                try
                {
                    await next(context);
                    return;
                }
                catch (Exception e) when (attempt < Attempts && started.Elapsed < Budget && !context.Response.HasStarted && IsLostRace(e))
                {
                    context.Response.Clear();
                    context.Response.Headers[CorrelationId.Header] = CorrelationId.Of(context);
                    // Exponential backoff with full jitter spreads the racers so that one of them wins each round.
                    var ceiling = Math.Min(200, 2 << Math.Min(attempt, 7));
                    await Task.Delay(Random.Shared.Next(ceiling), context.RequestAborted);
                }
            }
        });

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

    // The bulk import reads its body as a stream and settles races per line itself (ADR 9).
    private static bool IsStreamed(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-ndjson", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                return null;
            }

            await buffer.WriteAsync(chunk.AsMemory(0, read), ct);
        }

        return buffer.ToArray();
    }
}
