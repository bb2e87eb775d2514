using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The answers every operation of the API can give besides its own (ADR 23): 400 for a malformed parameter, 401
/// without a valid token, 403 without the role, 413 and 415 for a body too large or of another type, 429 past the rate limit (with
/// <c>Retry-After</c>) and 500; and the rate-limit headers on every 2xx and 4xx answer.
/// </summary>
public sealed class CommonAnswersOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        var invalid = context.SchemaGenerator.GenerateSchema(typeof(HttpValidationProblemDetails), context.SchemaRepository);
        operation.Responses ??= [];
        Add(operation, invalid, StatusCodes.Status400BadRequest, "A parameter or the body breaks a rule; `errors` names each field and its rule.");
        Add(operation, problem, StatusCodes.Status401Unauthorized, "No valid bearer token.");
        Add(operation, problem, StatusCodes.Status403Forbidden, "The token lacks a role this operation requires.");
        if (operation.RequestBody is not null)
        {
            Add(operation, problem, StatusCodes.Status413PayloadTooLarge, "The request body is larger than this operation takes.");
            Add(operation, problem, StatusCodes.Status415UnsupportedMediaType, "The request body is not of a media type this operation takes.");
        }

        Add(operation, problem, StatusCodes.Status429TooManyRequests, "Too many requests from this client: wait as many seconds as `Retry-After` says.");
        Add(operation, problem, StatusCodes.Status500InternalServerError, "A fault of the service; nothing was stored.");

        // Wolverine declares a 404 of every endpoint without a body: like every error, it is problem details.
        if (operation.Responses.TryGetValue("404", out var notFound) && notFound is OpenApiResponse { Content: null or { Count: 0 } } bare)
        {
            bare.Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } };
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (status[0] is '2' or '4' && response is OpenApiResponse r)
            {
                r.Headers ??= new Dictionary<string, IOpenApiHeader>();
                r.Headers[RateLimits.LimitHeader] = Header("Requests this client may make in a burst.");
                r.Headers[RateLimits.RemainingHeader] = Header("Requests left of the burst now.");
                r.Headers[RateLimits.ResetHeader] = Header("Seconds until the burst is whole again.");
                r.Headers["Access-Control-Allow-Origin"] = new OpenApiHeader
                {
                    Description = "Only to a browser whose origin is one of `Cooperation:Cors:AllowedOrigins`; none are by default, and the header is then never sent.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", MaxLength = Limits.MaxOriginLength },
                };
                if (status == "429")
                {
                    r.Headers[HeaderNames.RetryAfter] = Header("Seconds to wait before the next request.");
                }
            }
        }
    }

    private static void Add(OpenApiOperation operation, IOpenApiSchema problem, int status, string description)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }

        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, IOpenApiMediaType> { ["application/problem+json"] = new OpenApiMediaType { Schema = problem } },
        };
    }

    private static OpenApiHeader Header(string description) => new()
    {
        Description = description,
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = int.MaxValue.ToString(CultureInfo.InvariantCulture) },
    };
}
