using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;
using Wolverine.Http;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// A 2xx answer in a text media type beside the JSON one <c>[ProducesResponseType]</c> declares for the same status
/// (the API explorer keeps one type per status): the CSV of a report. Stated as a string of at most
/// <see cref="MaxLength"/> characters.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ProducesTextAttribute(int statusCode, string mediaType, int maxLength) : Attribute
{
    public int StatusCode { get; } = statusCode;

    public string MediaType { get; } = mediaType;

    public int MaxLength { get; } = maxLength;
}

/// <summary>
/// A request body of JSON lines (<c>application/x-ndjson</c>), each of <see cref="LineType"/>: the endpoint reads
/// the body as a stream, so the API explorer sees no body.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsJsonLinesAttribute(Type lineType) : Attribute
{
    public const string MediaType = "application/x-ndjson";

    public Type LineType { get; } = lineType;
}

/// <summary>
/// A type checked by the validators of other types whose members it repeats (a call record is judged by the offer,
/// answer, abandon and completion requests' validators): the document states their bounds for its members.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ValidatedAsAttribute(params Type[] types) : Attribute
{
    public IReadOnlyList<Type> Types { get; } = types;
}

/// <summary>States <see cref="ProducesTextAttribute"/> and <see cref="AcceptsJsonLinesAttribute"/> in the document.</summary>
public sealed class MediaOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var text in context.MethodInfo?.GetCustomAttributes(typeof(ProducesTextAttribute), false).Cast<ProducesTextAttribute>() ?? [])
        {
            operation.Responses ??= [];
            var key = text.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var found) || found is not OpenApiResponse response)
            {
                operation.Responses[key] = response = new OpenApiResponse { Description = "OK" };
            }

            response.Content ??= new Dictionary<string, IOpenApiMediaType>();
            response.Content[text.MediaType] = new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = text.MaxLength },
            };
        }

        if (context.MethodInfo?.GetCustomAttributes(typeof(AcceptsJsonLinesAttribute), false).FirstOrDefault() is AcceptsJsonLinesAttribute lines)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "One JSON object a line (NDJSON), each of the schema given: OpenAPI 3.0 has no way to say \"a stream of\".",
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [AcceptsJsonLinesAttribute.MediaType] = new OpenApiMediaType
                    {
                        Schema = context.SchemaGenerator.GenerateSchema(lines.LineType, context.SchemaRepository),
                    },
                },
            };
        }
    }
}

/// <summary>
/// Wolverine declares every endpoint's return type as its 200 answer; for <see cref="IResult"/> that says nothing (an
/// object without members), and for an endpoint that only creates it is a 200 it never gives. Each such endpoint
/// declares its answers with <c>[ProducesResponseType]</c>; this drops the stand-in (OpenApiAnswerTests holds every
/// operation to a declared 2xx).
/// </summary>
public sealed class DeclaredAnswersPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.ResourceType == typeof(IResult)))
        {
            chain.Finally(builder =>
            {
                foreach (var standIn in builder.Metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m.Type == typeof(IResult)).ToList())
                {
                    builder.Metadata.Remove(standIn);
                }
            });
        }
    }
}
