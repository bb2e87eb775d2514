using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The limit on request bodies, per endpoint: <see cref="DefaultMaxBody"/>, unless the endpoint names its own with
/// ASP.NET Core's <c>[RequestSizeLimit(bytes)]</c>, or streams its body and says <c>[DisableRequestSizeLimit]</c> (the
/// bulk import, whose lines are limited one by one: ADR 9). Wolverine hands an endpoint method's attributes to the
/// endpoint's metadata, and ASP.NET Core's routing gives the same limit to Kestrel.
/// </summary>
public static class BodyLimit
{
    /// <summary>
    /// The largest body the tests send, signing a contract, is 1.2 KB; a contract with every text at its longest, a
    /// hundred service lines, two hundred closure days and eight opening intervals every day is 42 KB (48 KB indented).
    /// </summary>
    public const int DefaultMaxBody = 64 * 1024;

    /// <summary>
    /// Refuses a POST body over its endpoint's limit with 413 before any endpoint reads it: the body is read here, up to
    /// the limit, and handed on from memory. After authorization and only for an endpoint that takes a body: nobody
    /// else gets one read.
    /// </summary>
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            var endpoint = context.GetEndpoint();
            // An endpoint that takes no body (a 405, the health check) gets none read.
            if (!HttpMethods.IsPost(request.Method) || endpoint?.Metadata.GetMetadata<IAcceptsMetadata>() is null ||
                LimitOf(endpoint) is not { } limit)
            {
                await next(context);
                return;
            }

            // Kestrel holds twice the limit: it counts a chunked body's framing too, which the limit here does not.
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = 2 * limit;
            }

            var body = request.ContentLength > limit ? null : await ReadBodyAsync(request, limit, context.RequestAborted);
            if (body is null)
            {
                await Problems.WriteAsync(context, Problems.TooLarge(
                    $"A request body of this endpoint holds at most {limit:N0} bytes ({Describe(limit)})."));
                return;
            }

            request.Body = new MemoryStream(body, writable: false);
            await next(context);
        });

    /// <summary>The endpoint's limit in bytes, or null when it streams its body.</summary>
    internal static long? LimitOf(Endpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IRequestSizeLimitMetadata>() is { } metadata ? metadata.MaxRequestBodySize : DefaultMaxBody;

    private static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / 1024 / 1024} MB" : bytes % 1024 == 0 ? $"{bytes / 1024} KB" : $"{bytes} bytes";

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                await buffer.WriteAsync(chunk.AsMemory(0, read), ct);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null; // Kestrel stopped first, at the same limit
        }

        return buffer.ToArray();
    }
}
