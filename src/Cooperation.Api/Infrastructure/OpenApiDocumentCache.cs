namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The OpenAPI document, made and written once: it depends on the code alone, anyone may ask for it without a token,
/// and making and writing its 0.6 MB costs about a twentieth of a CPU second each time (ADR 23).
/// </summary>
public static class OpenApiDocumentCache
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    /// <summary>Swashbuckle's route: the JSON document only (it would make a YAML one anew each time too).</summary>
    public const string RouteTemplate = "swagger/{documentName}/swagger.json";

    /// <summary>
    /// Before Swashbuckle's middleware (on <see cref="RouteTemplate"/>): its first answer is kept and given to every
    /// later request for the document, with or without a final slash.
    /// </summary>
    public static IApplicationBuilder UseOpenApiDocumentCache(this IApplicationBuilder app)
    {
        Kept? kept = null; // one reference, written once: no reader sees half of it
        return app.Use(async (context, next) =>
        {
            var head = HttpMethods.IsHead(context.Request.Method);
            if (!(HttpMethods.IsGet(context.Request.Method) || (head && kept is not null)) ||
                !string.Equals(context.Request.Path.Value?.TrimEnd('/'), DocumentPath, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            var response = context.Response;
            if (kept is null)
            {
                var original = response.Body;
                using var buffer = new MemoryStream();
                response.Body = buffer;
                try
                {
                    await next(context);
                }
                finally
                {
                    response.Body = original;
                }

                if (response.StatusCode != StatusCodes.Status200OK)
                {
                    await original.WriteAsync(buffer.ToArray(), context.RequestAborted);
                    return;
                }

                kept = new Kept(buffer.ToArray(), response.ContentType); // two first requests at once both make it: harmless
            }

            var document = kept;
            response.ContentType = document.ContentType;
            response.ContentLength = document.Body.Length;
            if (!head)
            {
                await response.Body.WriteAsync(document.Body, context.RequestAborted);
            }
        });
    }

    private sealed record Kept(byte[] Body, string? ContentType);
}
