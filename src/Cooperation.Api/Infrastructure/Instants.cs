using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The one reader of instants and dates, for every JSON field and query parameter. Instants are RFC 3339
/// (<c>2021-04-12T10:00:00+02:00</c>, <c>…Z</c>, up to seven decimals of a second, offsets −14:00 to +14:00);
/// dates are <c>yyyy-MM-dd</c>. Anything else — a local time without offset, "12.04.2021", RFC 1123, a space
/// for the "T" — is refused, never guessed.
/// </summary>
public static partial class Instants
{
    public const string InstantRule = "must be an instant in RFC 3339 with an offset, e.g. 2021-04-12T10:00:00+02:00 or 2021-04-12T08:00:00Z";

    /// <summary>The longest instant read: <c>2021-04-12T10:00:00.1234567+02:00</c>.</summary>
    public const int MaxLength = 33;

    /// <summary>A date is always <c>yyyy-MM-dd</c>.</summary>
    public const int DateLength = 10;

    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        return text is not null && Rfc3339().IsMatch(text) &&
               DateTimeOffset.TryParseExact(text.ToUpperInvariant(), "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture,
                   DateTimeStyles.None, out instant);
    }

    public static bool TryParseDate(string? text, out DateOnly date)
    {
        date = default;
        return text is { Length: DateLength } && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
    }

    // Digits are ASCII only (\d would take Arabic-Indic digits too).
    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?([Zz]|[+-][0-9]{2}:[0-9]{2})\z")]
    private static partial Regex Rfc3339();
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

public sealed class DateConverter : JsonConverter<DateOnly>
{
    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Instants.TryParseDate(reader.GetString(), out var date)
            ? date
            : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}
