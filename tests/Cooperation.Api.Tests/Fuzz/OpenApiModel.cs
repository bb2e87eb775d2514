using System.Text.Json.Nodes;

namespace Cooperation.Api.Tests.Fuzz;

/// <summary>A request body's or a member's schema from the OpenAPI document, with every <c>$ref</c> resolved.</summary>
internal sealed class SchemaNode
{
    public string Type { get; init; } = "unknown"; // object, array, string, integer, number, boolean, unknown

    public string? Format { get; init; }

    public IReadOnlyList<string> Enum { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, SchemaNode>> Properties { get; init; } = [];

    public SchemaNode? Items { get; init; }

    public bool IsDate => Type == "string" && Format == "date";

    public bool IsInstant => Type == "string" && Format == "date-time";

    public bool IsTime => Type == "string" && Format == "time";

    public bool IsNumber => Type is "integer" or "number";
}

internal sealed record ApiParameter(string Name, string In);

/// <summary>One path + method of the document: what the fuzzer knows about an endpoint, and all it knows.</summary>
internal sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, SchemaNode? Body, string? BodyMediaType)
{
    public string Key => $"{Method} {Path}";

    public IEnumerable<ApiParameter> InPath => Parameters.Where(p => p.In == "path");

    public IEnumerable<ApiParameter> InQuery => Parameters.Where(p => p.In == "query");

    public bool TakesBody => Body is not null || Method is "POST" or "PUT" or "PATCH";

    /// <summary>
    /// A POST to a collection (no path parameters) creates the resource the collection is named after:
    /// <c>POST /api/calls</c> takes a new <c>callId</c>.
    /// </summary>
    public bool Creates(string idName)
    {
        if (Method != "POST" || InPath.Any())
        {
            return false;
        }

        var last = Path.TrimEnd('/').Split('/')[^1];
        var singular = last.EndsWith("ies", StringComparison.Ordinal) ? last[..^3] + "y"
            : last.EndsWith('s') ? last[..^1] : last;
        return string.Equals(singular + "Id", idName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every parameter and body member name of the operation, at any depth.</summary>
    public IReadOnlySet<string> Names()
    {
        var names = new HashSet<string>(Parameters.Select(p => p.Name), StringComparer.Ordinal);
        void Walk(SchemaNode? node, int depth)
        {
            if (node is null || depth > 6)
            {
                return;
            }

            foreach (var (name, child) in node.Properties)
            {
                names.Add(name);
                Walk(child, depth + 1);
            }

            Walk(node.Items, depth + 1);
        }

        Walk(Body, 0);
        return names;
    }
}

internal static class OpenApiDocument
{
    private static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    /// <summary>Every path + operation of the document, in the document's order.</summary>
    public static IReadOnlyList<ApiOperation> Operations(JsonObject document)
    {
        var schemas = document["components"]?["schemas"]?.AsObject();
        var operations = new List<ApiOperation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var shared = Parameters(item?["parameters"]);
            foreach (var method in Methods)
            {
                if (item?[method] is not JsonObject operation)
                {
                    continue;
                }

                var parameters = shared.Concat(Parameters(operation["parameters"]))
                    .GroupBy(p => (p.Name, p.In)).Select(g => g.Last()).ToList();
                SchemaNode? body = null;
                string? mediaType = null;
                if (operation["requestBody"]?["content"] is JsonObject content && content.Count > 0)
                {
                    var chosen = content.FirstOrDefault(c => c.Key.Contains("json", StringComparison.OrdinalIgnoreCase));
                    if (chosen.Key is null)
                    {
                        chosen = content.First();
                    }

                    mediaType = chosen.Key;
                    body = Resolve(chosen.Value?["schema"], schemas, 0);
                }

                operations.Add(new ApiOperation(method.ToUpperInvariant(), path, parameters, body, mediaType));
            }
        }

        return operations;
    }

    private static List<ApiParameter> Parameters(JsonNode? parameters) =>
        parameters is JsonArray list
            ? list.OfType<JsonObject>()
                .Where(p => p["name"] is not null && p["in"] is not null)
                .Select(p => new ApiParameter((string)p["name"]!, (string)p["in"]!))
                .ToList()
            : [];

    private static SchemaNode Resolve(JsonNode? node, JsonObject? schemas, int depth)
    {
        if (node is not JsonObject schema || depth > 8)
        {
            return new SchemaNode();
        }

        if (schema["$ref"] is JsonValue reference)
        {
            var name = ((string)reference!).Split('/')[^1];
            return Resolve(schemas?[name], schemas, depth + 1);
        }

        foreach (var combinator in new[] { "allOf", "oneOf", "anyOf" })
        {
            if (schema[combinator] is JsonArray { Count: > 0 } options)
            {
                return Resolve(options.FirstOrDefault(o => o?["type"]?.ToString() != "null") ?? options[0], schemas, depth + 1);
            }
        }

        var type = schema["type"] switch
        {
            JsonArray types => types.Select(t => t?.ToString()).FirstOrDefault(t => t is not null and not "null"),
            JsonValue value => value.ToString(),
            _ => null,
        };
        var enumValues = schema["enum"] is JsonArray values
            ? values.Where(v => v is not null).Select(v => v!.ToString()).ToList()
            : [];
        var properties = schema["properties"] is JsonObject members
            ? members.Select(m => new KeyValuePair<string, SchemaNode>(m.Key, Resolve(m.Value, schemas, depth + 1))).ToList()
            : [];
        type ??= properties.Count > 0 ? "object" : enumValues.Count > 0 ? "string" : schema["items"] is not null ? "array" : "unknown";

        return new SchemaNode
        {
            Type = type,
            Format = schema["format"]?.ToString(),
            Enum = enumValues,
            Properties = properties,
            Items = type == "array" ? Resolve(schema["items"], schemas, depth + 1) : null,
        };
    }
}
