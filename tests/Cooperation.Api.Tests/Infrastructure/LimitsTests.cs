using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cooperation.Api.Appointments;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Appointments;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// The limits of ADR 23: what the OpenAPI document states of a request is what the service enforces, parameters
/// are bounded, lists come in pages and a stream holds a bounded number of events.
/// </summary>
[Collection("api")]
public sealed partial class LimitsTests(AppFixture fixture) : AppointmentTest(fixture)
{
    private static readonly string Everyone = Tokens.For([Roles.ContractAdmin, Roles.ServiceCentre, Roles.Department, Roles.Finance, Roles.Auditor]);

    /// <summary>A value of each pattern the document states: the test breaks it by a final line break.</summary>
    private static readonly Dictionary<string, string> PatternSamples = new(StringComparer.Ordinal)
    {
        ["^[a-z0-9]+(-[a-z0-9]+)*$"] = "a-1",
        ["^[A-Z0-9]{1,10}$"] = "HE",
        ["^[0-9]{5}$"] = "44787",
        [@"^\+?[0-9][0-9 ()/\-]{2,48}[0-9]$"] = "+49 234 910-0",
        ["^DE[0-9]{9}$"] = "DE123456789",
    };

    /// <summary>
    /// For every field of every request body the document bounds (its length on both sides, its range on both
    /// sides, its number of items, its pattern; also in nested objects and list items), a body holding a value just
    /// past the bound is a 400 naming that field.
    /// </summary>
    [Fact]
    public async Task Every_bound_the_document_states_of_a_request_field_is_enforced_with_a_400_naming_it()
    {
        var document = JsonNode.Parse(await (await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"))).ReadAsTextAsync())!;
        var schemas = document["components"]!["schemas"]!.AsObject();
        var failures = new List<string>();
        var tried = 0;
        foreach (var (path, operations) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in operations!.AsObject())
            {
                if (operation!["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema)
                {
                    continue;
                }

                var url = Placeholder().Replace(path, m => m.Groups[1].Value == "date" ? "2021-01-01" : "limits-test");
                foreach (var (field, value) in Breaches(schemas, Resolve(schemas, schema), prefix: string.Empty))
                {
                    tried++;
                    var body = Nested(field, value).ToJsonString();
                    var result = await Host.Scenario(s =>
                    {
                        s.Post.Text(body).ToUrl(url);
                        s.WithRequestHeader("Content-Type", "application/json");
                        s.WithBearerToken(Everyone);
                        s.IgnoreStatusCode();
                    });
                    var text = await result.ReadAsTextAsync();
                    var status = result.Context.Response.StatusCode;
                    if (status != 400 || JsonNode.Parse(text)?["errors"]?[field] is null)
                    {
                        failures.Add($"{method.ToUpperInvariant()} {path} {body[..Math.Min(body.Length, 120)]}: {status} {text[..Math.Min(text.Length, 300)]}");
                    }
                }
            }
        }

        Assert.True(tried > 100, $"Only {tried} bounds found in the document.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} bounds not enforced:\n{string.Join('\n', failures)}");
    }

    [Fact]
    public async Task A_query_value_longer_than_its_parameter_takes_is_a_400_naming_it_and_a_path_id_too_long_a_404()
    {
        var contract = await GivenContract();
        var tooLong = new string('a', Limits.MaxLengthOf("department") + 1);
        var problem = await Get($"/api/referrals?contractId={contract}&department={tooLong}", Clerk, 400);
        Assert.Equal($"'department' must be at most {Rules.MaxIdLength} characters long.", (string)problem["errors"]!["department"]![0]!);

        var asOf = await Get($"/api/contracts/{contract}?asOf=2021-01-01T00:00:00.1234567%2B01:000", Tokens.Auditor, 400);
        Assert.NotNull(asOf["errors"]!["asOf"]);

        await Get($"/api/contracts/{new string('a', Rules.MaxIdLength + 1)}", Tokens.Auditor, 404);
        await Get($"/api/contracts/{new string('a', Limits.MaxParameterLength + 1)}", Tokens.Auditor, 404);
        await Get($"/api/contracts/{contract}", Tokens.Auditor, 200);
    }

    [Fact]
    public async Task No_problem_grows_with_what_was_sent()
    {
        var name = "a'" + new string('x', 6_000);
        var unknownMember = await Host.Scenario(s =>
        {
            s.Post.Text($$$"""{"openingHours":{"{{{name}}}":[]}}""").ToUrl("/api/contracts");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(Tokens.ContractAdmin());
            s.StatusCodeShouldBe(400);
        });
        var longPath = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/contracts/{new string('a', 7_500)}");
            s.WithBearerToken(Tokens.Auditor);
            s.StatusCodeShouldBe(404);
        });
        var longKey = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/contracts?{new string('k', 7_000)}%01=1&{new string('q', 7_000)}=1");
            s.WithBearerToken(Tokens.Auditor);
            s.StatusCodeShouldBe(400);
        });

        foreach (var result in new[] { unknownMember, longPath, longKey })
        {
            var problem = JsonNode.Parse(await result.ReadAsTextAsync())!.AsObject();
            Assert.All(Texts(problem), text => Assert.InRange(text.Length, 0, Problems.MaxText));
            Assert.All(problem["errors"]?.AsObject().Select(e => e.Key) ?? [], key => Assert.InRange(key.Length, 1, Problems.MaxEchoed));
        }

        Assert.StartsWith("a'xxx", (string)unknownMember.ReadAsJson<JsonObject>()!["errors"]!.AsObject().Single().Key, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Texts(p.Value)),
        JsonArray a => a.SelectMany(Texts),
        JsonValue v when v.TryGetValue<string>(out var text) => [text],
        _ => [],
    };

    [Fact]
    public async Task The_contracts_come_in_pages_of_at_most_a_thousand()
    {
        await GivenContract();
        await GivenContract();
        var all = (await Get("/api/contracts", Tokens.Auditor, 200)).AsArray();
        var second = (await Get("/api/contracts?limit=1&offset=1", Tokens.Auditor, 200)).AsArray();
        Assert.Equal((string)all[1]!["contractId"]!, (string)Assert.Single(second)!["contractId"]!);

        foreach (var limit in new[] { "0", "1001", "many" })
        {
            var problem = await Get($"/api/contracts?limit={limit}", Tokens.Auditor, 400);
            Assert.Equal("'limit' must be a whole number between 1 and 1000.", (string)problem["errors"]!["limit"]![0]!);
        }

        Assert.NotNull((await Get("/api/contracts?offset=-1", Tokens.Auditor, 400))["errors"]!["offset"]);
    }

    [Fact]
    public async Task A_stream_takes_no_event_past_its_limit_and_a_repeat_is_still_answered()
    {
        var contract = await GivenContract();
        var id = UniqueId("appt");
        await Post("/api/appointments", Booking(id, contract), Agent, 201);
        var key = StreamKeys.Appointment(id);
        var at = DateTimeOffset.Parse("2021-03-02T10:00:00+01:00", CultureInfo.InvariantCulture);
        await using (var session = Fixture.Store.LightweightSession())
        {
            // Filled to the limit behind the API's back: a stream that got there by a decade of changes.
            // With the version it ends at, as the write step appends, so that the inline view knows its version.
            session.Events.Append(key, Limits.MaxStreamEvents, Enumerable.Range(1, Limits.MaxStreamEvents - 1)
                .Select(i => (object)new AppointmentRescheduled(id, at.AddMinutes(i), at)).ToArray());
            await session.SaveChangesAsync();
        }

        var last = at.AddMinutes(Limits.MaxStreamEvents - 1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        await Post($"/api/appointments/{id}/rescheduled", new JsonObject { ["startsAt"] = last }, Agent, 200);
        var problem = await Post($"/api/appointments/{id}/rescheduled", new JsonObject { ["startsAt"] = "2021-03-20T10:00:00+01:00" }, Agent, 409);
        Assert.Contains($"at most {Limits.MaxStreamEvents}", (string)problem["errors"]!["$"]![0]!, StringComparison.Ordinal);

        var view = await Get($"/api/appointments/{id}", Agent, 200);
        Assert.Equal(Limits.MaxStreamEvents, (int)view["version"]!);
        Assert.Equal(last, (string)view["startsAt"]!);
    }

    /// <summary>Each bounded field of a schema with a value just past its bound; nested objects and list items by their path.</summary>
    private static IEnumerable<(string Field, JsonNode Value)> Breaches(JsonObject schemas, JsonObject schema, string prefix)
    {
        foreach (var (name, declared) in schema["properties"]?.AsObject() ?? [])
        {
            var property = Resolve(schemas, declared!);
            var field = prefix + name;
            if (property["properties"] is not null)
            {
                foreach (var breach in Breaches(schemas, property, field + "."))
                {
                    yield return breach;
                }

                continue;
            }

            switch ((string?)property["type"])
            {
                case "string":
                    foreach (var breach in StringBreaches(property))
                    {
                        yield return (field, breach);
                    }

                    break;
                case "integer" or "number":
                    if (property["maximum"] is { } maximum)
                    {
                        var top = decimal.Parse(maximum.ToString(), CultureInfo.InvariantCulture);
                        yield return (field, JsonValue.Create(property["exclusiveMaximum"] is not null ? top : top + 1));
                    }

                    if (property["minimum"] is { } minimum)
                    {
                        var bottom = decimal.Parse(minimum.ToString(), CultureInfo.InvariantCulture);
                        yield return (field, JsonValue.Create(property["exclusiveMinimum"] is not null ? bottom : bottom - 1));
                    }

                    break;
                case "array":
                    var items = Resolve(schemas, property["items"]!);
                    if (property["maxItems"] is { } count)
                    {
                        yield return (field, new JsonArray([.. Enumerable.Range(0, (int)count + 1).Select(_ => Element(items))]));
                    }

                    foreach (var breach in (string?)items["type"] == "string" ? StringBreaches(items) : [])
                    {
                        yield return ($"{field}[0]", new JsonArray(breach));
                    }

                    if (items["properties"] is not null)
                    {
                        foreach (var breach in Breaches(schemas, items, field + "[0]."))
                        {
                            yield return breach;
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>A string one character past each bound: too long, too short, off its pattern.</summary>
    private static IEnumerable<JsonNode> StringBreaches(JsonObject property)
    {
        var format = (string?)property["format"];
        if (property["maxLength"] is { } max)
        {
            yield return TooLong(format, (int)max + 1);
        }

        if (property["minLength"] is { } min && (int)min > 0)
        {
            yield return JsonValue.Create(TooLong(format, 30).GetValue<string>()[..((int)min - 1)]);
        }

        if (property["pattern"] is { } pattern)
        {
            Assert.True(PatternSamples.TryGetValue((string)pattern!, out var sample), $"No sample value for the pattern {pattern}: add one.");
            Assert.Matches((string)pattern!, sample);
            yield return JsonValue.Create(sample + "\n");
        }
    }

    private static JsonNode TooLong(string? format, int length) => JsonValue.Create(format switch
    {
        // Readers of a fixed shape: one character more is no longer that shape.
        "date" => "2021-01-01".PadRight(length, '1'),
        "date-time" => "2021-01-01T00:00:00.1234567+01:00".PadRight(length, '0'),
        "time" => "08:00:00".PadRight(length, '0'),
        _ => new string('x', length),
    })!;

    private static JsonNode? Element(JsonObject items) =>
        items["enum"] is JsonArray values ? values[0]!.DeepClone()
        : (string?)items["format"] == "date" ? JsonValue.Create("2021-01-01")
        : (string?)items["type"] == "string" ? JsonValue.Create("x")
        : new JsonObject();

    private static JsonObject Resolve(JsonObject schemas, JsonNode schema) =>
        schema["$ref"] is { } reference ? schemas[((string)reference!).Split('/')[^1]]!.AsObject() : schema.AsObject();

    /// <summary>"a.b[0].c" and a value as the JSON object holding it there.</summary>
    private static JsonObject Nested(string field, JsonNode value)
    {
        JsonNode inner = value;
        foreach (var segment in field.Split('.').Reverse())
        {
            inner = segment.EndsWith("[0]", StringComparison.Ordinal)
                ? new JsonObject { [segment[..^3]] = new JsonArray(inner) }
                : new JsonObject { [segment] = inner };
        }

        return inner.AsObject();
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
