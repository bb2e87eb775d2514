namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The OpenAPI document, made and written once: it depends on the code alone, anyone may ask for it without a token,
/// and making and writing its 0.6 MB costs about a twentieth of a CPU second each time (ADR 23).
/// </summary>
public static class OpenApiDocumentCache
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    /// <summary>Before Swashbuckle's middleware: its first answer is kept and given to every later request.</summary>
    public static IApplicationBuilder UseOpenApiDocumentCache(this IApplicationBuilder app)
    {
        (byte[] Body, string? ContentType)? kept = null;
        return app.Use(async (context, next) =>
        {
            var head = HttpMethods.IsHead(context.Request.Method);
            if (!(HttpMethods.IsGet(context.Request.Method) || (head && kept is not null)) || context.Request.Path != DocumentPath)
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

                kept = (buffer.ToArray(), response.ContentType); // two first requests at once both make it: harmless
            }

            response.ContentType = kept.Value.ContentType;
            response.ContentLength = kept.Value.Body.Length;
            if (!head)
            {
                await response.Body.WriteAsync(kept.Value.Body, context.RequestAborted);
            }
        });
    }
}
