namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Every request carries a correlation id: the caller's <c>X-Correlation-ID</c> when it sent a usable
/// one, a new one otherwise. It is echoed in the response and stored on every event the request appends.
/// </summary>
public static class CorrelationId
{
    public const string Header = "X-Correlation-ID";
    private const int MaxLength = 128;
    private static readonly object Key = new();

    public static string Of(HttpContext context) =>
        context.Items.TryGetValue(Key, out var value) && value is string id ? id : Assign(context);

    public static IApplicationBuilder UseCorrelationIds(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var id = Assign(context);
            context.Response.Headers[Header] = id;
            return next(context);
        });

    private static string Assign(HttpContext context)
    {
        var sent = context.Request.Headers[Header].ToString();
        var id = IsUsable(sent) ? sent : Guid.NewGuid().ToString("N");
        context.Items[Key] = id;
        return id;
    }

    // Only printable ASCII of a sensible length goes into the store and the logs.
    private static bool IsUsable(string value) =>
        value.Length is > 0 and <= MaxLength && value.All(c => c is > ' ' and <= '~');
}
