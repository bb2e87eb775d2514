using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cooperation.Api.Contracts;

/// <summary>
/// Writes <see cref="OpeningHours"/> in the weekly form, every weekday present (closed days as <c>[]</c>), and reads
/// both forms: the weekly one, and the short one (<c>days</c>, <c>opens</c>, <c>closes</c>) that contracts, snapshots
/// and report tables stored before the weekly form existed still hold. Requests use <see cref="OpeningHoursInput"/>,
/// which checks each member on its own; this converter reads only what the service wrote itself.
/// </summary>
public sealed class OpeningHoursJson : JsonConverter<OpeningHours>
{
    private static readonly string[] TimeFormats = ["HH:mm", "HH:mm:ss"];

    public override OpeningHours Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("Opening hours must be an object.");
        }

        var week = new Dictionary<Weekday, List<OpeningInterval>>();
        List<Weekday>? days = null;
        TimeOnly? opens = null, closes = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (string.Equals(name, "days", StringComparison.OrdinalIgnoreCase))
            {
                days = [];
                Expect(reader, JsonTokenType.StartArray);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    days.Add(DayOf(reader.GetString()));
                }
            }
            else if (string.Equals(name, "opens", StringComparison.OrdinalIgnoreCase))
            {
                opens = TimeOf(reader);
            }
            else if (string.Equals(name, "closes", StringComparison.OrdinalIgnoreCase))
            {
                closes = TimeOf(reader);
            }
            else
            {
                week[DayOf(name)] = ReadIntervals(ref reader);
            }
        }

        if (days is not null || opens is not null || closes is not null)
        {
            var fallback = OpeningHours.Default;
            return OpeningHours.Same(
                days ?? [Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri],
                opens ?? fallback.Mon[0].Opens,
                closes ?? fallback.Mon[0].Closes);
        }

        return OpeningHours.Weekly(day => week.TryGetValue(day, out var intervals) ? intervals : []);
    }

    public override void Write(Utf8JsonWriter writer, OpeningHours value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var day in Enum.GetValues<Weekday>())
        {
            writer.WriteStartArray(NameOf(day));
            foreach (var interval in value.On(day))
            {
                writer.WriteStartObject();
                writer.WriteString("opens", TextOf(interval.Opens));
                writer.WriteString("closes", TextOf(interval.Closes));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    public static string NameOf(Weekday day) => day.ToString().ToLowerInvariant();

    private static List<OpeningInterval> ReadIntervals(ref Utf8JsonReader reader)
    {
        var intervals = new List<OpeningInterval>();
        Expect(reader, JsonTokenType.StartArray);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(reader, JsonTokenType.StartObject);
            TimeOnly? opens = null, closes = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString();
                reader.Read();
                if (string.Equals(name, "opens", StringComparison.OrdinalIgnoreCase))
                {
                    opens = TimeOf(reader);
                }
                else if (string.Equals(name, "closes", StringComparison.OrdinalIgnoreCase))
                {
                    closes = TimeOf(reader);
                }
                else
                {
                    throw new JsonException($"An opening interval has no member '{name}'.");
                }
            }

            intervals.Add(new OpeningInterval(
                opens ?? throw new JsonException("An opening interval needs 'opens'."),
                closes ?? throw new JsonException("An opening interval needs 'closes'.")));
        }

        return intervals;
    }

    private static void Expect(Utf8JsonReader reader, JsonTokenType token)
    {
        if (reader.TokenType != token)
        {
            throw new JsonException($"Expected {token} in opening hours, found {reader.TokenType}.");
        }
    }

    private static Weekday DayOf(string? name) =>
        Enum.TryParse<Weekday>(name, ignoreCase: true, out var day) && Enum.IsDefined(day) && !int.TryParse(name, out _)
            ? day
            : throw new JsonException($"'{name}' is not a weekday of opening hours.");

    private static TimeOnly TimeOf(Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String
        && TimeOnly.TryParseExact(reader.GetString(), TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw new JsonException("An opening time must be written 'HH:mm' or 'HH:mm:ss'.");

    private static string TextOf(TimeOnly time) =>
        time.ToString(time.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);
}
