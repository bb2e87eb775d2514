namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Control characters have no business in a URL of this API, and PostgreSQL refuses U+0000 outright: a query
/// parameter holding one is 400 naming the parameter, a path holding one 404 (no id can contain one), before any
/// endpoint reads them. So is a value longer than its parameter takes (<see cref="Limits.ParameterLengths"/>).
/// </summary>
public static class InputGuard
{
    public static IApplicationBuilder UseInputGuard(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (HasControl(request.Path.Value))
            {
                await Problems.WriteAsync(context, Problems.NotFound("No resource of this API has control characters in its path."));
                return;
            }

            // Nothing this API names takes a longer path value (ADR 23); shorter ones past their parameter's limit are
            // refused by the endpoint: an id as unknown (404), a year or quarter as malformed (400).
            if (request.RouteValues.Any(v => v.Value is string text && text.Length > Limits.MaxParameterLength))
            {
                await Problems.WriteAsync(context, Problems.NotFound("No resource of this API has an id this long."));
                return;
            }

            var errors = request.Query
                .Where(p => HasControl(p.Key) || p.Value.Any(HasControl))
                .Select(p => Printable(p.Key))
                .Distinct(StringComparer.Ordinal) // "a\u0001" and "a\u0002" print alike
                .ToDictionary(key => key, key => new[] { $"'{key}' must not contain control characters." });
            foreach (var (key, values) in request.Query.Where(p => !errors.ContainsKey(Printable(p.Key))))
            {
                var max = Limits.MaxLengthOf(key);
                if (key.Length > Limits.MaxParameterLength)
                {
                    errors[key] = ["No parameter of this API has a name this long."]; // the problem cuts the name
                }
                else if (values.Any(v => v?.Length > max))
                {
                    errors[key] = [$"'{key}' must be at most {max} characters long."];
                }
            }
            if (errors.Count > 0)
            {
                await Problems.WriteAsync(context, Problems.Invalid(errors));
                return;
            }

            await next(context);
        });

    private static bool HasControl(string? text) => text is not null && text.Any(char.IsControl);

    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
