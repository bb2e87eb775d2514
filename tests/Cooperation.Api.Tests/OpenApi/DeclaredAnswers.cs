using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cooperation.Api.Tests.OpenApi;

/// <summary>
/// Holds an answer the service gave to what the OpenAPI document declares for it: its status and media type are
/// declared, and a JSON body (each line of NDJSON) has exactly the members of the declared schema, recursively, with
/// values of the declared kinds, enums and bounds. Nulls pass: the document marks nullable references loosely.
/// </summary>
internal static class DeclaredAnswers
{
    /// <summary>What is wrong with the answer, or nothing. <paramref name="endpoint"/> is "POST /api/…" as the document names it.</summary>
    public static IEnumerable<string> Mismatches(JsonNode document, string endpoint, int status, string? contentType, string body)
    {
        var method = endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)].ToLowerInvariant();
        var path = endpoint[(method.Length + 1)..];
        var answer = document["paths"]?[path]?[method]?["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (answer is null)
        {
            return [$"{endpoint}: answered {status}, which the document does not declare"];
        }

        var mediaType = (contentType ?? string.Empty).Split(';')[0].Trim();
        if (answer["content"]?[mediaType] is not { } media)
        {
            return [$"{endpoint}: answered {status} as '{mediaType}', which the document does not declare (it declares {string.Join(", ", (answer["content"] as JsonObject)?.Select(c => c.Key) ?? [])})"];
        }

        var schemas = document["components"]!["schemas"]!;
        var schema = media["schema"];
        var problems = new List<string>();
        if (mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            var lines = mediaType == "application/x-ndjson" ? body.Split('\n', StringSplitOptions.RemoveEmptyEntries) : [body];
            foreach (var line in lines)
            {
                Check(JsonNode.Parse(line), schema, schemas, "$", problems);
            }
        }
        else if (schema?["maxLength"] is { } max && body.Length > (int)max)
        {
            problems.Add($"$: {body.Length} characters, more than the {(int)max} declared");
        }

        return problems.Select(p => $"{endpoint} {status} {mediaType}: {p}");
    }

    private static void Check(JsonNode? value, JsonNode? schema, JsonNode schemas, string at, List<string> problems)
    {
        while (schema?["$ref"] is { } reference)
        {
            schema = schemas[((string)reference!).Split('/')[^1]];
        }

        if (value is null || schema is null || schema is JsonObject { Count: 0 })
        {
            return; // null, or a schema of anything (an event's data)
        }

        var type = (string?)schema["type"];
        switch (value.GetValueKind())
        {
            case JsonValueKind.Object when type is "object" or null:
                var members = value.AsObject();
                if (schema["properties"] is JsonObject properties)
                {
                    // Every member is written (ApiJson), but one marked to be left out when null (a total's "code").
                    foreach (var missing in properties.Where(p => p.Value?["nullable"]?.GetValue<bool>() != true).Select(p => p.Key)
                                 .Except(members.Select(m => m.Key)))
                    {
                        problems.Add($"{at}: declared member '{missing}' is not in the answer");
                    }

                    foreach (var (name, member) in members)
                    {
                        if (properties[name] is { } declared)
                        {
                            Check(member, declared, schemas, $"{at}.{name}", problems);
                        }
                        else if (schema["additionalProperties"] is { } extra && extra.GetValueKind() != JsonValueKind.False)
                        {
                            Check(member, extra, schemas, $"{at}.{name}", problems);
                        }
                        else
                        {
                            problems.Add($"{at}: member '{name}' is not declared");
                        }
                    }
                }
                else if (schema["additionalProperties"] is JsonObject entries)
                {
                    foreach (var (name, member) in members)
                    {
                        Check(member, entries, schemas, $"{at}.{name}", problems);
                    }
                }

                break;
            case JsonValueKind.Array when type == "array":
                var items = value.AsArray();
                if (schema["maxItems"] is { } maxItems && items.Count > (int)maxItems)
                {
                    problems.Add($"{at}: {items.Count} items, more than the {(int)maxItems} declared");
                }

                for (var i = 0; i < items.Count; i++)
                {
                    Check(items[i], schema["items"], schemas, $"{at}[{i}]", problems);
                }

                break;
            case JsonValueKind.String when type is "string" or null:
                var text = (string)value!;
                if (schema["maxLength"] is { } maxLength && text.Length > (int)maxLength)
                {
                    problems.Add($"{at}: {text.Length} characters, more than the {(int)maxLength} declared");
                }

                if (schema["enum"] is JsonArray values && !values.Any(v => (string?)v == text))
                {
                    problems.Add($"{at}: '{text}' is none of the declared values");
                }

                break;
            case JsonValueKind.Number when type is "integer" or "number":
            case JsonValueKind.True or JsonValueKind.False when type == "boolean":
                break;
            default:
                problems.Add($"{at}: a {value.GetValueKind()} where the document declares {type ?? schema.ToJsonString()}");
                break;
        }
    }
}
