using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cooperation.Api.Tests.Fuzz;

/// <summary>One HTTP request, exactly as sent: path and query are raw (percent-encoded) text.</summary>
internal sealed record RequestSpec(
    string Method, string Path, string Query, byte[]? Body, string? ContentType, string? Accept, string? Authorization)
{
    public string Url => Query.Length == 0 ? Path : $"{Path}?{Query}";
}

/// <summary>What a 400 must say about the mutation.</summary>
internal enum Naming
{
    /// <summary>Only that <c>errors</c> has a key.</summary>
    None,

    /// <summary>The value is malformed for its field (type, null, missing, unparseable text): a key must name the field.</summary>
    Strict,

    /// <summary>The value is well-formed but odd: a key must name the field, or at least a field (not only <c>$</c>).</summary>
    Loose,

    /// <summary>The body as a whole is unreadable or of the wrong media type: no <c>errors</c> needed.</summary>
    WholeBody,
}

/// <summary>One request the fuzzer sends, and what its answer is held to.</summary>
internal sealed record Variant(
    ApiOperation Op,
    string Target,
    string Class,
    string Label,
    Func<RequestSpec> Build,
    string? Field = null,
    string? Leaf = null,
    Naming Naming = Naming.None,
    bool MustRefuse = false);

/// <summary>An operation made ready to fuzz: valid values for its path, query and body, and the token it takes.</summary>
internal sealed class PreparedOperation
{
    public required ApiOperation Op { get; init; }

    /// <summary>Path parameter → a raw (encoded) value that exists.</summary>
    public required IReadOnlyDictionary<string, string> PathValues { get; init; }

    /// <summary>Query parameters of the valid request, raw (encoded).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Query { get; init; }

    /// <summary>A new valid body each call (new ids where the operation creates), or null without a JSON object body.</summary>
    public required Func<JsonObject?> Body { get; init; }

    /// <summary>Builds a generic example for a member at a path (used to fill containers a mutation reaches into).</summary>
    public required Func<SchemaNode, string?, JsonNode?> Example { get; init; }

    public required string Token { get; set; }

    public required string? Municipality { get; set; }

    public int BaselineStatus { get; set; }

    public IReadOnlySet<string> BaselineErrorKeys { get; set; } = new HashSet<string>();

    public string BaselineExcerpt { get; set; } = string.Empty;

    public RequestSpec Valid(string? token = null, string? accept = null, string? contentType = "application/json", byte[]? body = null,
        string? path = null, string? query = null, bool noToken = false) =>
        new(Op.Method, path ?? PathWith(), query ?? QueryWith(), Op.TakesBody ? body ?? BodyBytes(Body()) : null,
            Op.TakesBody ? contentType : null, accept, noToken ? null : $"Bearer {token ?? Token}");

    public string PathWith(string? name = null, string? raw = null)
    {
        var path = Op.Path;
        foreach (var (parameter, value) in PathValues)
        {
            path = path.Replace("{" + parameter + "}", parameter == name ? raw : value, StringComparison.Ordinal);
        }

        return path;
    }

    public string QueryWith(string? name = null, string? raw = null)
    {
        var pairs = Query.Where(q => q.Key != name).Select(q => $"{q.Key}={q.Value}").ToList();
        if (name is not null)
        {
            pairs.Add($"{Uri.EscapeDataString(name)}={raw}");
        }

        return string.Join('&', pairs);
    }

    public static byte[] BodyBytes(JsonNode? body, string? raw = null)
    {
        var text = body?.ToJsonString() ?? "{}";
        if (raw is not null)
        {
            text = text.Replace($"\"{FuzzValues.RawMarker}\"", raw, StringComparison.Ordinal);
        }

        return Encoding.UTF8.GetBytes(text);
    }
}

/// <summary>The odd values, by class.</summary>
internal static class FuzzValues
{
    public const string RawMarker = "@@fuzz-raw@@";

    public const string GenericInstant = "2021-03-02T10:00:00+01:00";

    public static readonly string[] Roles = ["contract-admin", "service-centre", "department", "finance", "auditor"];

    public static readonly string OneMegabyte = new('a', 1 << 20);

    /// <summary>Every whole-hour offset from -12:00 to +14:00, and Z.</summary>
    public static IEnumerable<string> Offsets() =>
        Enumerable.Range(-12, 27).Select(h => (h < 0 ? "-" : "+") + Math.Abs(h).ToString("00", CultureInfo.InvariantCulture) + ":00").Append("Z");

    public static readonly string[] LocalInstants =
    [
        "12.04.2021 10:00:00 +02:00",
        "Mon, 12 Apr 2021 10:00:00 GMT",
        "04/12/2021 10:00 +02:00",
        "2021-04-12 10:00:00",
        "2021-04-12T10:00:00",
    ];

    public static readonly (string Value, bool Valid)[] OddDates =
    [
        ("0001-01-01", true), ("9999-12-31", true), ("2021-02-29", false), ("2021-13-01", false), ("01.04.2021", false), ("2021-4-1", false),
    ];

    public static readonly (string Class, string Raw)[] OddIds =
    [
        ("encoded slash", "a%2Fb"), ("NUL", "a%00b"), ("5000 chars", new string('x', 5000)), ("non-ASCII", "%C3%BC"),
        ("emoji", "%F0%9F%98%80"), ("dot-dot", ".."),
    ];

    public static readonly (string Class, string Raw)[] OddQueryValues =
    [
        ("empty", ""), ("control char", "%00"), ("control char", "%01"), ("control char", "a%00b"), ("control char", "a%01b"),
        ("control char", "%1B%5B31m"), ("non-ASCII", "%C3%BC"), ("emoji", "%F0%9F%98%80"), ("invalid UTF-8", "%C3%28"),
        ("dot-dot", ".."), ("encoded slash", "a%2Fb"), ("5000 chars", new string('x', 5000)), ("number", "-1"), ("number", "0"),
        ("number", "1.5"), ("huge number", "1e308"), ("huge number", "-1e20"), ("number", "0.001"),
        ("huge number", "79228162514264337593543950336"), ("huge number", "2147483648"), ("literal", "true"), ("literal", "null"),
        ("JSON", "%5B%5D"), ("JSON", "%7B%7D"), ("unencoded +", "1+1"),
        ("odd date", "0001-01-01"), ("odd date", "9999-12-31"), ("odd date", "2021-02-29"), ("odd date", "2021-13-01"),
        ("odd date", "01.04.2021"), ("odd date", "2021-4-1"),
    ];

    /// <summary>Raw query values for an instant parameter, and whether they must be refused.</summary>
    public static IEnumerable<(string Class, string Raw, bool MustRefuse)> OddQueryInstants()
    {
        yield return ("odd instant", "0001-01-01T00:00:00Z", false);
        yield return ("odd instant", "9999-12-31T23:59:59%2B14:00", false);
        yield return ("odd instant", "2021-02-29T10:00:00Z", true);
        foreach (var offset in Offsets())
        {
            yield return ("instant offset", "2021-04-15T12:00:00" + offset.Replace("+", "%2B", StringComparison.Ordinal), false);
        }

        foreach (var local in LocalInstants)
        {
            yield return ("local instant", Encode(local), true);
        }

        yield return ("unencoded +", "2021-04-15T12:00:00+02:00", true);
    }

    /// <summary>Percent-encodes what a query value cannot carry as is, and nothing more, so the values stay readable.</summary>
    private static string Encode(string value) => value.Replace(" ", "%20", StringComparison.Ordinal).Replace("+", "%2B", StringComparison.Ordinal)
        .Replace("/", "%2F", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    public static bool IsInstantName(string name) =>
        name == "asOf" || (name.Length > 2 && name.EndsWith("At", StringComparison.Ordinal));
}

/// <summary>A body mutation: a value (or raw JSON text) set at a member path, or the member removed.</summary>
internal sealed record Mutation(string Class, string Label, JsonNode? Value, Naming Naming, bool MustRefuse = false,
    string? Raw = null, bool Remove = false, bool AppendNull = false)
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Mutation Set(string @class, JsonNode? value, Naming naming, bool mustRefuse = false) =>
        new(@class, value?.ToJsonString(Readable) ?? "null", value, naming, mustRefuse);

    public static Mutation RawText(string @class, string raw, Naming naming) =>
        new(@class, raw, JsonValue.Create(FuzzValues.RawMarker), naming, Raw: raw);
}

/// <summary>Every request the fuzzer sends for a prepared operation.</summary>
internal static class VariantFactory
{
    public const int MaxPerOperation = 600;

    public static IReadOnlyList<Variant> For(PreparedOperation p, Func<string[], string?, string> token, string forged)
    {
        var variants = new List<Variant>();
        variants.AddRange(Bodies(p));
        variants.AddRange(Paths(p));
        variants.AddRange(Queries(p));
        variants.AddRange(Headers(p));
        variants.AddRange(Authentication(p, token, forged));
        return Cap(variants);
    }

    /// <summary>Over the cap, takes round-robin across targets so each member keeps its first mutations.</summary>
    private static List<Variant> Cap(List<Variant> variants)
    {
        if (variants.Count <= MaxPerOperation)
        {
            return variants;
        }

        var queues = variants.GroupBy(v => v.Target).Select(g => new Queue<Variant>(g)).ToList();
        var taken = new List<Variant>();
        while (taken.Count < MaxPerOperation && queues.Any(q => q.Count > 0))
        {
            foreach (var queue in queues.Where(q => q.Count > 0))
            {
                if (taken.Count == MaxPerOperation)
                {
                    break;
                }

                taken.Add(queue.Dequeue());
            }
        }

        return taken;
    }

    private static IEnumerable<Variant> Bodies(PreparedOperation p)
    {
        var op = p.Op;
        if (!op.TakesBody)
        {
            yield break;
        }

        // The body as a whole.
        foreach (var (label, bytes) in new (string, byte[])[]
                 {
                     ("{", "{"u8.ToArray()), ("nul", "nul"u8.ToArray()), ("binary", [0xFF, 0xFE, 0x00, 0x01, 0x89, 0x50, 0x4E, 0x47, 0x80]),
                     ("empty", []),
                 })
        {
            yield return new Variant(op, "body", "not JSON", label, () => p.Valid(body: bytes), Naming: Naming.WholeBody);
        }

        foreach (var json in new[] { "[]", "42", "\"x\"", "null" })
        {
            yield return new Variant(op, "body", "JSON not an object", json, () => p.Valid(body: Encoding.UTF8.GetBytes(json)));
        }

        foreach (var type in new[] { "text/plain", "application/xml", null })
        {
            yield return new Variant(op, "body", "wrong Content-Type", type ?? "(none)", () => p.Valid(contentType: type), Naming: Naming.WholeBody);
        }

        if (op.Body is not { Type: "object" } schema)
        {
            yield break;
        }

        foreach (var variant in Members(p, schema, [], [], 0))
        {
            yield return variant;
        }
    }

    /// <summary>Mutations of every member of an object schema, recursing into objects and array items.</summary>
    private static IEnumerable<Variant> Members(PreparedOperation p, SchemaNode node, List<object> path, List<SchemaNode> nodes, int depth)
    {
        if (depth > 5)
        {
            yield break;
        }

        foreach (var (name, member) in node.Properties)
        {
            List<object> memberPath = [.. path, name];
            List<SchemaNode> memberNodes = [.. nodes, member];
            foreach (var variant in At(p, member, memberPath, memberNodes, name, depth))
            {
                yield return variant;
            }
        }
    }

    private static IEnumerable<Variant> At(PreparedOperation p, SchemaNode member, List<object> path, List<SchemaNode> nodes, string leaf, int depth)
    {
        var present = Get(p.Body(), path) is { Found: true };
        foreach (var mutation in Mutations(member, present))
        {
            yield return Make(p, path, nodes, leaf, mutation);
        }

        if (member.Type == "object")
        {
            foreach (var variant in Members(p, member, path, nodes, depth + 1))
            {
                yield return variant;
            }
        }
        else if (member is { Type: "array", Items: { } items })
        {
            List<object> itemPath = [.. path, 0];
            List<SchemaNode> itemNodes = [.. nodes, items];
            if (items.Type == "object")
            {
                foreach (var variant in Members(p, items, itemPath, itemNodes, depth + 1))
                {
                    yield return variant;
                }
            }
            else if (items.Type != "array")
            {
                foreach (var mutation in Mutations(items, present: false).Where(m => m.Class is not ("null" or "missing")))
                {
                    yield return Make(p, itemPath, itemNodes, leaf, mutation);
                }
            }
        }
    }

    private static Variant Make(PreparedOperation p, List<object> path, List<SchemaNode> nodes, string leaf, Mutation m)
    {
        var display = Display(path);
        return new Variant(p.Op, $"body {display}", m.Class, m.Label, () =>
        {
            var body = p.Body() ?? new JsonObject();
            if (m.Remove)
            {
                Remove(body, path);
            }
            else if (m.AppendNull)
            {
                var array = Get(body, path).Node as JsonArray ?? [];
                var copy = (JsonArray)array.DeepClone();
                copy.Add(null);
                Set(p, body, path, nodes, copy);
            }
            else
            {
                Set(p, body, path, nodes, m.Value?.DeepClone());
            }

            return p.Valid(body: PreparedOperation.BodyBytes(body, m.Raw));
        }, display, leaf, m.Naming, m.MustRefuse);
    }

    /// <summary>The mutations of one member by its type: wrong types, null, missing, extremes, odd text, dates, instants.</summary>
    public static IEnumerable<Mutation> Mutations(SchemaNode s, bool present)
    {
        yield return Mutation.Set("null", null, Naming.Strict);
        if (present)
        {
            yield return new Mutation("missing", "(missing)", null, Naming.Strict, Remove: true);
        }

        yield return Mutation.Set("wrong type", JsonValue.Create(true), Naming.Strict);
        switch (s.Type)
        {
            case "integer" or "number":
                yield return Mutation.Set("wrong type", JsonValue.Create("12"), Naming.Strict);
                foreach (var raw in new[] { "1e308", "79228162514264337593543950336", "-1", "-1e20", "0.001" })
                {
                    yield return Mutation.RawText(raw.StartsWith('-') ? "negative number" : raw == "0.001" ? "fraction" : "huge number", raw, Naming.Loose);
                }

                break;
            case "boolean":
                yield return Mutation.Set("wrong type", JsonValue.Create("true"), Naming.Strict);
                yield return Mutation.Set("wrong type", JsonValue.Create(1), Naming.Strict);
                break;
            case "array":
                yield return Mutation.Set("wrong type", new JsonObject(), Naming.Strict);
                yield return Mutation.Set("null item", new JsonArray((JsonNode?)null), Naming.Strict);
                if (present)
                {
                    yield return new Mutation("null item", "[…, null]", null, Naming.Strict, AppendNull: true);
                }

                yield return Mutation.Set("object item", new JsonArray(new JsonObject()), Naming.Strict);
                break;
            case "object":
                yield return Mutation.Set("wrong type", new JsonArray(), Naming.Strict);
                break;
            case "string":
                yield return Mutation.Set("wrong type", JsonValue.Create(42), Naming.Strict);
                yield return new Mutation("1 MB string", "'a' × 1 MB", JsonValue.Create(FuzzValues.OneMegabyte), Naming.Loose);
                foreach (var text in new[] { "a\u0000b", "\u0007", "\u001b[31m" })
                {
                    yield return Mutation.Set("control char", JsonValue.Create(text), Naming.Strict);
                }

                yield return Mutation.RawText("unpaired surrogate", "\"\\ud800\"", Naming.Strict);
                if (s.Enum.Count > 0)
                {
                    yield return Mutation.Set("not in enum", JsonValue.Create("no-such-value"), Naming.Strict);
                }

                if (s.IsDate)
                {
                    foreach (var (date, valid) in FuzzValues.OddDates)
                    {
                        yield return Mutation.Set("odd date", JsonValue.Create(date), valid ? Naming.Loose : Naming.Strict, mustRefuse: !valid);
                    }
                }

                if (s.IsInstant)
                {
                    yield return Mutation.Set("odd instant", JsonValue.Create("0001-01-01T00:00:00Z"), Naming.Loose);
                    yield return Mutation.Set("odd instant", JsonValue.Create("9999-12-31T23:59:59+14:00"), Naming.Loose);
                    yield return Mutation.Set("odd instant", JsonValue.Create("2021-02-29T10:00:00Z"), Naming.Strict, mustRefuse: true);
                    foreach (var offset in FuzzValues.Offsets())
                    {
                        yield return Mutation.Set("instant offset", JsonValue.Create("2021-03-02T10:00:00" + offset), Naming.Loose);
                    }

                    foreach (var local in FuzzValues.LocalInstants)
                    {
                        yield return Mutation.Set("local instant", JsonValue.Create(local), Naming.Strict, mustRefuse: true);
                    }
                }

                if (s.IsTime)
                {
                    yield return Mutation.Set("odd time", JsonValue.Create("24:00"), Naming.Strict);
                    yield return Mutation.Set("odd time", JsonValue.Create("8:00 PM"), Naming.Strict);
                }

                break;
        }
    }

    private static IEnumerable<Variant> Paths(PreparedOperation p)
    {
        foreach (var parameter in p.Op.InPath)
        {
            foreach (var (@class, raw) in FuzzValues.OddIds)
            {
                yield return new Variant(p.Op, $"path {parameter.Name}", @class, Short(raw),
                    () => p.Valid(path: p.PathWith(parameter.Name, raw)), parameter.Name, parameter.Name, Naming.Strict);
            }
        }
    }

    private static IEnumerable<Variant> Queries(PreparedOperation p)
    {
        foreach (var parameter in p.Op.InQuery)
        {
            var values = FuzzValues.OddQueryValues.Select(v => (v.Class, v.Raw, MustRefuse: false));
            if (FuzzValues.IsInstantName(parameter.Name))
            {
                values = values.Concat(FuzzValues.OddQueryInstants());
            }

            foreach (var (@class, raw, mustRefuse) in values)
            {
                yield return new Variant(p.Op, $"query {parameter.Name}", @class, Short(raw),
                    () => p.Valid(query: p.QueryWith(parameter.Name, raw)), parameter.Name, parameter.Name, Naming.Strict, mustRefuse);
            }
        }
    }

    private static IEnumerable<Variant> Headers(PreparedOperation p)
    {
        foreach (var accept in new[] { "text/csv", "application/xml", "image/png" })
        {
            yield return new Variant(p.Op, "headers", "Accept", accept, () => p.Valid(accept: accept));
            if (p.Op.TakesBody)
            {
                yield return new Variant(p.Op, "headers", "Accept + body '{'", accept, () => p.Valid(accept: accept, body: "{"u8.ToArray()), Naming: Naming.WholeBody);
            }
            else if (p.Op.InPath.FirstOrDefault() is { } id)
            {
                yield return new Variant(p.Op, "headers", "Accept + unknown id", accept, () => p.Valid(accept: accept, path: p.PathWith(id.Name, "no-such-id-fuzz")));
            }
        }
    }

    private static IEnumerable<Variant> Authentication(PreparedOperation p, Func<string[], string?, string> token, string forged)
    {
        foreach (var role in FuzzValues.Roles)
        {
            yield return new Variant(p.Op, "auth", "single role", role, () => p.Valid(token: token([role], p.Municipality)));
        }

        yield return new Variant(p.Op, "auth", "caller of another city", "municipality=elsewhere", () => p.Valid(token: token(FuzzValues.Roles, "elsewhere")));
        yield return new Variant(p.Op, "auth", "token without any known role", "role=janitor", () => p.Valid(token: token(["janitor"], p.Municipality)));
        yield return new Variant(p.Op, "auth", "no token", "(none)", () => p.Valid(noToken: true));
        yield return new Variant(p.Op, "auth", "forged token", "Tokens.Forged", () => p.Valid(token: forged));
        yield return new Variant(p.Op, "auth", "garbage token", "Bearer not-a-jwt", () => p.Valid(token: "not-a-jwt"));
    }

    public static string Display(IReadOnlyList<object> path)
    {
        var text = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                text.Append(CultureInfo.InvariantCulture, $"[{index}]");
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(segment);
            }
        }

        return text.ToString();
    }

    public static string Short(string text) => text.Length > 60 ? $"{text[..20]}…({text.Length} chars)" : text;

    public static (bool Found, JsonNode? Node) Get(JsonNode? root, IReadOnlyList<object> path)
    {
        var node = root;
        foreach (var segment in path)
        {
            switch (segment, node)
            {
                case (string name, JsonObject o) when o.ContainsKey(name):
                    node = o[name];
                    break;
                case (int index, JsonArray a) when index < a.Count:
                    node = a[index];
                    break;
                default:
                    return (false, null);
            }
        }

        return (true, node);
    }

    private static void Remove(JsonObject body, IReadOnlyList<object> path)
    {
        if (Get(body, path.Take(path.Count - 1).ToList()).Node is JsonObject parent && path[^1] is string name)
        {
            parent.Remove(name);
        }
    }

    /// <summary>Sets a member, creating (from the operation's examples) the containers on the way that the valid body lacks.</summary>
    private static void Set(PreparedOperation p, JsonObject body, IReadOnlyList<object> path, IReadOnlyList<SchemaNode> nodes, JsonNode? value)
    {
        JsonNode container = body;
        for (var i = 0; i < path.Count; i++)
        {
            var last = i == path.Count - 1;
            var name = path[i] as string ?? (i > 0 ? path[i - 1] as string : null);
            JsonNode? Fill()
            {
                if (last)
                {
                    return value;
                }

                var example = p.Example(nodes[i], path[i] as string);
                return path[i + 1] is int
                    ? example as JsonArray ?? new JsonArray()
                    : example as JsonObject ?? new JsonObject();
            }

            switch (path[i], container)
            {
                case (string member, JsonObject o):
                    if (last || o[member] is null || (path[i + 1] is int ? o[member] is not JsonArray : o[member] is not JsonObject))
                    {
                        o[member] = Fill();
                    }

                    container = o[member]!;
                    break;
                case (int index, JsonArray a):
                    while (a.Count <= index)
                    {
                        a.Add(last ? null : p.Example(nodes[i], name));
                    }

                    if (last || a[index] is null || (path[i + 1] is int ? a[index] is not JsonArray : a[index] is not JsonObject))
                    {
                        a[index] = Fill();
                    }

                    container = a[index]!;
                    break;
                default:
                    return;
            }

            if (last)
            {
                return;
            }
        }
    }
}
