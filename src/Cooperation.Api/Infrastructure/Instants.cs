using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Instants are ISO 8601 with an offset ("Z" or "+01:00"). A local time without one means nothing to an
/// auditor or a report, so it is refused rather than guessed.
/// </summary>
public static class Instants
{
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text is not null && HasOffset(text) &&
               DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    private static bool HasOffset(string value) =>
        value.EndsWith('Z') || value.EndsWith('z') || (value.Length > 6 && value[^6] is '+' or '-' && value[^3] == ':');
}

public sealed class InstantConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Instants.TryParse(reader.GetString(), out var instant)
            ? instant
            : throw new JsonException(); // System.Text.Json's message names the path

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
