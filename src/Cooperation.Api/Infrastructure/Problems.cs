using System.Text.RegularExpressions;
using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Problem details (RFC 9457) for every refusal. Field keys follow the JSON paths of the request
/// (camelCase, dotted), so a client can point at what it sent wrongly.
/// </summary>
public static partial class Problems
{
    public const string ErrorsKey = "errors";

    /// <summary>Continue with the request (Wolverine's "no problems" sentinel).</summary>
    public static ProblemDetails None => WolverineContinue.NoProblems;

    public static bool IsNone(this ProblemDetails problem) => ReferenceEquals(problem, WolverineContinue.NoProblems);

    /// <summary>Checks in order: the first problem wins, later checks run only while there is none.</summary>
    public static ProblemDetails Then(this ProblemDetails first, Func<ProblemDetails> next) => first.IsNone() ? next() : first;

    public static ProblemDetails NotFound(string detail) => Create(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemDetails Conflict(string detail) => Create(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ProblemDetails Forbidden(string detail) => Create(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static ProblemDetails TooLarge(string detail) => Create(StatusCodes.Status413PayloadTooLarge, "The request body is too large", detail);

    public static ProblemDetails TooManyRequests(string detail) => Create(StatusCodes.Status429TooManyRequests, "Too many requests", detail);

    /// <summary>400 naming one field and the rule it broke.</summary>
    public static ProblemDetails Invalid(string field, string rule) =>
        Invalid(new Dictionary<string, string[]> { [field] = [rule] });

    public static ProblemDetails Invalid(IDictionary<string, string[]> errors)
    {
        var problem = Create(StatusCodes.Status400BadRequest, "One or more fields are invalid",
            "See 'errors' for each field and the rule it broke.");
        problem.Extensions[ErrorsKey] = errors;
        return problem;
    }

    /// <summary>404 for something a field of the request refers to.</summary>
    public static ProblemDetails NotFound(string field, string detail)
    {
        var problem = NotFound(detail);
        problem.Extensions[ErrorsKey] = new Dictionary<string, string[]> { [field] = [detail] };
        return problem;
    }

    /// <summary>409 for a repeat that differs from what was recorded, naming each difference.</summary>
    public static ProblemDetails Conflict(IDictionary<string, string[]> differences)
    {
        var problem = Conflict("This repeats a request already recorded, with different values: see 'errors'.");
        problem.Extensions[ErrorsKey] = differences;
        return problem;
    }

    /// <summary>409 for a request that contradicts the stream's state, naming the field at fault.</summary>
    public static ProblemDetails Conflict(string field, string rule)
    {
        var problem = Conflict(rule);
        problem.Extensions[ErrorsKey] = new Dictionary<string, string[]> { [field] = [rule] };
        return problem;
    }

    private static ProblemDetails Create(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = TypeOf(status),
    };

    // The RFC 9110 sections, as ASP.NET Core links its own problems, so every problem looks alike.
    internal static string? TypeOf(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        500 => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => null,
    };

    /// <summary>Writes a problem from a middleware, before any endpoint: with its status, through the one writer.</summary>
    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status!.Value;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>
    /// Runs for every problem the framework writes (ours, Wolverine's, status code pages):
    /// adds the correlation id and turns Wolverine's JSON read failure into a per-field error.
    /// </summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var correlationId = CorrelationId.Of(context.HttpContext);
        problem.Extensions["correlationId"] = correlationId;
        // The exception handler clears the headers before it writes: give the id back to every problem.
        context.HttpContext.Response.Headers[CorrelationId.Header] = correlationId;
        problem.Instance ??= context.HttpContext.Request.Path;

        if (problem.Status == StatusCodes.Status400BadRequest &&
            problem.Title == "Invalid JSON format" && !problem.Extensions.ContainsKey(ErrorsKey))
        {
            var (field, message) = DescribeJsonError(problem.Detail);
            problem.Title = "The request body is not valid JSON for this endpoint";
            problem.Type = TypeOf(StatusCodes.Status400BadRequest);
            problem.Detail = $"{field}: {message}";
            problem.Extensions.Remove("lineNumber");
            problem.Extensions.Remove("bytePositionInLine");
            problem.Extensions[ErrorsKey] = new Dictionary<string, string[]> { [field] = [message] };
        }

        if (problem.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            problem.Detail ??= "This endpoint takes 'Content-Type: application/json'.";
        }

        Bound(problem);
    }

    /// <summary>
    /// No problem grows with what was sent (ADR 23): its texts keep at most <see cref="MaxText"/> characters, the
    /// field names in <c>errors</c> at most <see cref="MaxEchoed"/>.
    /// </summary>
    private static void Bound(ProblemDetails problem)
    {
        problem.Title = Short(problem.Title, MaxText);
        problem.Detail = Short(problem.Detail, MaxText);
        problem.Instance = Short(problem.Instance, MaxText);
        var errors = problem is HttpValidationProblemDetails validation ? validation.Errors
            : problem.Extensions.TryGetValue(ErrorsKey, out var extension) ? extension as IDictionary<string, string[]> : null;
        if (errors is null || errors.All(e => e.Key.Length <= MaxEchoed && e.Value.All(m => m.Length <= MaxText)))
        {
            return;
        }

        var bounded = errors.ToDictionary(e => e.Key, e => e.Value);
        errors.Clear();
        foreach (var (field, messages) in bounded)
        {
            errors[Short(field, MaxEchoed)!] = [.. messages.Select(m => Short(m, MaxText)!)];
        }
    }

    /// <summary>The longest title, detail, instance or message of a problem.</summary>
    public const int MaxText = 1_000;

    /// <summary>System.Text.Json writes "… Path: $.a.b | LineNumber: …"; keep the path and a plain rule.</summary>
    internal static (string Field, string Message) DescribeJsonError(string? detail)
    {
        detail ??= string.Empty;
        // These two say no path, only the member's name (System.Text.Json keeps the path on the exception alone).
        if (UnknownMember().Match(detail) is { Success: true } unknown)
        {
            var name = Short(unknown.Groups[1].Value)!;
            return (name, $"'{name}' is not a member of this object: check its spelling against the API contract.");
        }

        if (DuplicateMember().Match(detail) is { Success: true } duplicate)
        {
            var name = Short(duplicate.Groups[1].Value)!;
            return (name, $"'{name}' is given more than once (names are matched ignoring case): give it once.");
        }

        var path = JsonPath().Match(detail);
        var field = path.Success ? path.Groups[1].Value : "$";
        field = field == "$" ? "$" : Short(field.TrimStart('$').TrimStart('.'))!;

        var conversion = Conversion().Match(detail);
        var message = conversion.Success
            ? $"must be a valid {Describe(conversion.Groups[1].Value)}"
            : detail.Length == 0 ? "is not valid JSON" : Cut(detail);
        return (field, message);
    }

    private static string Describe(string clrType)
    {
        var name = clrType.Split('.').Last().TrimEnd(']').Replace("Nullable`1[", string.Empty, StringComparison.Ordinal);
        return name switch
        {
            "DateOnly" => "date (yyyy-MM-dd)",
            "DateTimeOffset" => "instant (RFC 3339 with offset, e.g. 2021-04-12T10:00:00+02:00)",
            "TimeOnly" => "time of day (HH:mm)",
            "Decimal" or "Double" => "number",
            "Int32" or "Int64" => "whole number",
            "String" => "string of plain text (no control characters)",
            "Boolean" => "boolean",
            // Records bound through their constructors report the record, not the member's type.
            _ => "value for this field: check its type and format (numbers unquoted, dates yyyy-MM-dd, instants RFC 3339 with offset, enumerations as listed in the API, text without control characters)",
        };
    }

    /// <summary>A text cut to <paramref name="max"/> characters, so that no answer grows with what was sent (ADR 23).</summary>
    internal static string? Short(string? text, int max = MaxEchoed) => text is null || text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>The longest member name, path or parameter name echoed from a request.</summary>
    public const int MaxEchoed = 200;

    private static string Cut(string detail)
    {
        var index = detail.IndexOf(" Path:", StringComparison.Ordinal);
        return index > 0 ? detail[..index] : detail;
    }

    [GeneratedRegex(@"^The JSON property '(.+)' could not be mapped")]
    private static partial Regex UnknownMember();

    [GeneratedRegex(@"^Duplicate property '(.+)' encountered")]
    private static partial Regex DuplicateMember();

    [GeneratedRegex(@"Path: (\S+)")]
    private static partial Regex JsonPath();

    [GeneratedRegex(@"could not be converted to ([\w.`\[\], =]+?)\. Path")]
    private static partial Regex Conversion();
}

/// <summary>
/// The one place where exceptions with a meaning for the client become problems: a race still lost after
/// <see cref="WriteStep.Attempts"/> attempts and duplicates in the store are 409; a database that cannot be
/// reached, a lock not had in time (the billing lock, ADR 12) and reports not yet projected (ADR 16) are 503 with
/// <c>Retry-After</c>. Nothing was stored.
/// </summary>
public sealed class ConflictExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        if (Find(exception) is { } conflict)
        {
            problem = Problems.Conflict(conflict);
        }
        else if (Has(exception, e => e is PostgresException { SqlState: PostgresErrorCodes.LockNotAvailable }))
        {
            problem = Unavailable(httpContext, "Busy",
                "Other changes of the same kind are being recorded right now and this one waited too long. Nothing was stored; send it again in a moment.");
        }
        else if (exception is Reports.ReportsBehindException behind)
        {
            problem = Unavailable(httpContext, "The reports are catching up",
                $"The reports have applied the events up to {behind.Current.UpToSequence} of {behind.Current.LatestSequence}; ask again in a moment.");
        }
        else if (Has(exception, IsUnreachable))
        {
            problem = Unavailable(httpContext, "The database cannot be reached",
                "The service cannot reach its database right now. Nothing was stored; send the request again in a moment.");
        }
        else
        {
            return false;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Unavailable(HttpContext httpContext, string title, string detail)
    {
        httpContext.Response.Headers.RetryAfter = "2";
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = title,
            Detail = detail,
        };
    }

    /// <summary>
    /// The server is down, restarting or refusing connections, the network dropped, or no connection came in time:
    /// Npgsql calls these transient. Class 08 and 57P0x are the server's own words for it.
    /// </summary>
    internal static bool IsUnreachable(Exception e) =>
        e is NpgsqlException { IsTransient: true }
        || e is PostgresException p && (p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03" or "53300")
        || e is NpgsqlException { InnerException: System.Net.Sockets.SocketException or IOException or TimeoutException };

    private static bool Has(Exception? exception, Func<Exception, bool> test)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (test(e))
            {
                return true;
            }
        }

        return false;
    }

    private static string? Find(Exception exception)
    {
        if (LostRaces.IsLostRace(exception))
        {
            return "Other requests changed this record at the same time, again and again. Nothing was stored; send it again.";
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StreamLockedException:
                    return "Another request changed this record at the same time. Reload it and try again.";
                case DocumentAlreadyExistsException:
                    return "A record with this id already exists.";
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation }:
                    return "A record with this key already exists.";
            }
        }

        return null;
    }
}

/// <summary>
/// Problems are always written as <c>application/problem+json</c>, whatever the client's <c>Accept</c> says: a client
/// that asked for CSV or XML still learns why it got none (the framework's own writer would send an empty body).
/// </summary>
public sealed class ProblemJsonWriter(Microsoft.Extensions.Options.IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var response = context.HttpContext.Response;
        problem.Status ??= response.StatusCode;
        problem.Title ??= Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Type ??= Problems.TypeOf(problem.Status.Value);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(response.WriteAsJsonAsync(problem, problem.GetType(), ApiJson.Options, "application/problem+json", context.HttpContext.RequestAborted));
    }
}
