using System.Security.Claims;
using Cooperation.Api.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

public static class ImportCallsEndpoint
{
    public const string NdjsonMediaType = "application/x-ndjson";

    /// <summary>
    /// Bulk import of call records, one JSON object a line, read as a stream. Always 200 once the body was
    /// read: each line's fate is in the answer.
    /// </summary>
    [WolverinePost("/api/calls/batch")]
    [Authorize(Roles = Roles.ServiceCentre)]
    [Microsoft.AspNetCore.Mvc.DisableRequestSizeLimit] // streamed: no whole-body limit, each line has its own (BodyLimit)
    [ProducesResponseType<BatchResult>(StatusCodes.Status200OK, "application/json")]
    [AcceptsJsonLines(typeof(CallRecord))]
    public static async Task<IResult> Post(HttpContext http, ClaimsPrincipal user, CallImport import, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var type) ||
            !type.MediaType.Equals(NdjsonMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: $"This endpoint takes 'Content-Type: {NdjsonMediaType}': one call record as JSON a line.");
        }

        // The body is streamed, never held whole: a night's export may be far above Kestrel's default cap.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }

        var result = await import.RunAsync(http.Request.BodyReader, Caller.From(user), CorrelationId.Of(http), ct);
        return result.Lines == 0
            ? Results.Problem(Problems.Invalid("$", "The batch is empty: send one call record as JSON a line."))
            : Results.Ok(result);
    }
}
