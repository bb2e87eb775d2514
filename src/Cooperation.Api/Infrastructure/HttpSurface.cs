using Microsoft.Net.Http.Headers;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// What the service shows of itself over HTTP beyond its answers: security headers on every answer, no server
/// banner, cross-origin requests only from origins an operator names, and the Swagger UI only where wanted.
/// </summary>
public static class HttpSurface
{
    public const string CorsSetting = "Cooperation:Cors:AllowedOrigins";
    public const string SwaggerUiSetting = "Cooperation:SwaggerUI";

    /// <summary>
    /// For the API and a coming dashboard served from the same origin: its own files only, no framing, no plugins. The
    /// Swagger UI works under it (its files are external; checked in Chromium: the operations, "Try it out", the
    /// authorization dialog); only the inline style sheet of its small logo is refused, which greys the logo.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Headers a browser script of an allowed origin may read: where a new resource is, when to retry, how much is left.</summary>
    private static readonly string[] ExposedHeaders =
        [HeaderNames.Location, HeaderNames.RetryAfter, CorrelationId.Header, RateLimits.LimitHeader, RateLimits.RemainingHeader, RateLimits.ResetHeader];

    /// <summary>No <c>Server</c> header; CORS only when origins are configured.</summary>
    public static WebApplicationBuilder AddHttpSurface(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var origins = AllowedOrigins(builder.Configuration);
        if (origins.Length > 0)
        {
            builder.Services.AddSingleton(new CorsOrigins(origins));
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins)
                .WithMethods(HttpMethods.Get, HttpMethods.Post)
                .WithHeaders(HeaderNames.Authorization, HeaderNames.ContentType, HeaderNames.Accept, CorrelationId.Header)
                .WithExposedHeaders(ExposedHeaders)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        }

        return builder;
    }

    /// <summary>First in the pipeline, written as the answer starts: so also on problems, refusals and the exception handler's answers.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                var path = context.Request.Path;
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                if (path.StartsWithSegments("/api"))
                {
                    headers.CacheControl = "no-store"; // personal and financial data: no copy in any cache
                }

                return Task.CompletedTask;
            });
            return next(context);
        });

    /// <summary>Before authentication, so that a preflight (which carries no token) is answered; nothing unless origins are configured.</summary>
    public static IApplicationBuilder UseConfiguredCors(this IApplicationBuilder app) =>
        app.ApplicationServices.GetService<CorsOrigins>() is null ? app : app.UseCors();

    /// <summary>On outside Production; in Production only when <c>Cooperation:SwaggerUI</c> is true. The OpenAPI document is always served.</summary>
    public static bool SwaggerUiWanted(this WebApplication app) =>
        app.Configuration.GetValue(SwaggerUiSetting, !app.Environment.IsProduction());

    private static string[] AllowedOrigins(IConfiguration configuration)
    {
        var origins = configuration.GetSection(CorsSetting).Get<string[]>() ?? [];
        for (var i = 0; i < origins.Length; i++)
        {
            var origin = origins[i].Trim().TrimEnd('/');
            if (origin.Length > Limits.MaxOriginLength || !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") ||
                !string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"{CorsSetting}:{i} must be an origin such as https://dashboard.example.org (scheme, host and port only), not '{origins[i]}'.");
            }

            origins[i] = origin;
        }

        return origins;
    }

    private sealed record CorsOrigins(string[] Origins);
}
