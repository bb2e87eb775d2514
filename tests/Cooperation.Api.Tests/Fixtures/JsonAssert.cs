using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>Compares JSON documents member by member, numbers by value (45000 equals 45000.00), naming the first difference.</summary>
public static class JsonAssert
{
    public static void Equal(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        switch (expected, actual)
        {
            case (null, null):
                return;
            case (JsonObject e, JsonObject a):
                Assert.True(e.Select(p => p.Key).Order().SequenceEqual(a.Select(p => p.Key).Order()),
                    $"{path}: members differ. Expected [{string.Join(", ", e.Select(p => p.Key))}], got [{string.Join(", ", a.Select(p => p.Key))}].");
                foreach (var (key, value) in e)
                {
                    Equal(value, a[key], $"{path}.{key}");
                }

                return;
            case (JsonArray e, JsonArray a):
                Assert.True(e.Count == a.Count, $"{path}: expected {e.Count} items, got {a.Count}.");
                for (var i = 0; i < e.Count; i++)
                {
                    Equal(e[i], a[i], $"{path}[{i}]");
                }

                return;
            case (JsonValue e, JsonValue a) when e.GetValueKind() == JsonValueKind.Number && a.GetValueKind() == JsonValueKind.Number:
                Assert.True(Number(e) == Number(a), $"{path}: expected {e.ToJsonString()}, got {a.ToJsonString()}.");
                return;
            default:
                Assert.True(expected?.ToJsonString() == actual?.ToJsonString(),
                    $"{path}: expected {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}.");
                return;
        }
    }

    private static decimal Number(JsonValue value) => decimal.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
