using JasperFx;
using JasperFx.Events;
using Npgsql;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// What counts as a lost race (the write step decides again on one: ADR 14), and the limit on JSON bodies.
/// </summary>
public static class LostRaces
{
    /// <summary>
    /// The largest JSON body taken. A contract, the biggest request, is a few KB; the bulk import streams and is
    /// not bound by it.
    /// </summary>
    public const int MaxBody = 4 * 1024 * 1024;

    /// <summary>
    /// Refuses a JSON body over <see cref="MaxBody"/> with 413 before any endpoint reads it. After authorization and
    /// only for a route that exists: nobody else gets a body read.
    /// </summary>
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
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

            request.Body = new MemoryStream(body, writable: false);
            await next(context);
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

    // The bulk import reads its body as a stream (ADR 9).
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
