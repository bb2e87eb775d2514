using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The query parameters <c>?asOf=</c> (an instant with offset: only events recorded by then) and
/// <c>?version=</c> with which an auditor reads a stream as it was. Neither: as it is now.
/// </summary>
public sealed record TimeTravel(DateTimeOffset? AsOf, long? Version)
{

    public bool IsNow => AsOf is null && Version is null;

    /// <summary>400 naming each parameter that is malformed, or both when both are given.</summary>
    public static ProblemDetails Parse(string? asOf, string? version, out TimeTravel travel)
    {
        var errors = new Dictionary<string, string[]>();
        var instant = ParseAsOf(asOf, errors);
        long? wanted = long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;

        if (version is not null && wanted is null)
        {
            errors["version"] = ["'version' must be a whole number of at least 1."];
        }

        if (asOf is not null && version is not null)
        {
            errors["$"] = ["Give either 'asOf' or 'version', not both."];
        }

        travel = new TimeTravel(instant, wanted);
        return errors.Count > 0 ? Problems.Invalid(errors) : Problems.None;
    }

    /// <summary>The instant of an <c>asOf</c> parameter (null when not given); a malformed one adds its rule to <paramref name="errors"/>.</summary>
    public static DateTimeOffset? ParseAsOf(string? asOf, IDictionary<string, string[]> errors)
    {
        if (asOf is null)
        {
            return null;
        }

        if (Instants.TryParse(asOf, out var instant))
        {
            // The same instant whatever its offset; PostgreSQL's timestamptz takes it in UTC only.
            return instant.ToUniversalTime();
        }

        errors["asOf"] = [$"'asOf' {Instants.InstantRule} (in a URL, write '+' as %2B)."];
        return null;
    }
}
