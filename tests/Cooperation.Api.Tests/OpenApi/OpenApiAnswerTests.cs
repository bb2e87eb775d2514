using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Appointments;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.OpenApi;

/// <summary>
/// Other systems rely on the document for what each operation answers: every operation declares its 2xx answers,
/// none as <c>IResult</c> or an object without members, and every JSON one is a component schema or a list of one.
/// That each declaration is what the service answers: <c>AccessMatrixTests</c> holds every 2xx answer it meets to it,
/// and the writes it meets only refused are made here.
/// </summary>
[Collection("api")]
public sealed class OpenApiAnswerTests(AppFixture app) : AppointmentTest(app)
{
    [Fact]
    public async Task Every_operation_declares_its_2xx_answers_as_a_component_schema_or_a_list_of_one_and_none_as_IResult()
    {
        var document = JsonNode.Parse(await (await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"))).ReadAsTextAsync())!;
        var failures = new List<string>();
        var operations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations++;
                var name = $"{method.ToUpperInvariant()} {path}";
                var answers = operation!["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')).ToList();
                if (answers.Count == 0)
                {
                    failures.Add($"{name}: no 2xx answer declared");
                }

                foreach (var (status, answer) in answers)
                {
                    if (answer!["content"] is not JsonObject { Count: > 0 } content)
                    {
                        failures.Add($"{name} {status}: no content declared");
                        continue;
                    }

                    foreach (var (mediaType, media) in content)
                    {
                        var schema = media!["schema"];
                        var text = schema?.ToJsonString() ?? "(none)";
                        if (text.Contains("IResult", StringComparison.Ordinal))
                        {
                            failures.Add($"{name} {status} {mediaType}: declared as IResult");
                        }
                        else if (mediaType.EndsWith("json", StringComparison.Ordinal) && !IsComponentOrListOfOne(schema))
                        {
                            failures.Add($"{name} {status} {mediaType}: {text}, not a component schema or a list of one");
                        }
                        else if (!mediaType.EndsWith("json", StringComparison.Ordinal) && (string?)schema?["type"] != "string")
                        {
                            failures.Add($"{name} {status} {mediaType}: {text}, not text");
                        }
                    }
                }
            }
        }

        // And no component stands in for IResult, nor is any component an object without members.
        foreach (var (id, schema) in document["components"]!["schemas"]!.AsObject())
        {
            if (id.Contains("IResult", StringComparison.Ordinal) ||
                ((string?)schema!["type"] == "object" && schema["properties"] is null && schema["additionalProperties"] is null))
            {
                failures.Add($"component {id}: {schema!.ToJsonString()}");
            }
        }

        Assert.True(operations > 40, $"Only {operations} operations in the document.");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task The_writes_the_access_matrix_sees_refused_answer_what_the_document_declares()
    {
        var document = JsonNode.Parse(await (await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"))).ReadAsTextAsync())!;
        var failures = new List<string>();
        async Task Answer(string endpoint, string url, string json, string token, int status)
        {
            var result = await Host.Scenario(s =>
            {
                s.Post.Text(json).ToUrl(url);
                s.WithRequestHeader("Content-Type", "application/json");
                s.WithBearerToken(token);
                s.IgnoreStatusCode();
            });
            var body = await result.ReadAsTextAsync();
            var answered = result.Context.Response.StatusCode;
            failures.AddRange(answered == status
                ? DeclaredAnswers.Mismatches(document, endpoint, answered, result.Context.Response.ContentType, body)
                : [$"{endpoint}: {answered} {body[..Math.Min(body.Length, 200)]}, expected {status}"]);
        }

        var contract = await GivenContract();
        var callId = UniqueId("c");
        var offer = $$"""{"callId":"{{callId}}","contractId":"{{contract}}","serviceLine":"buergerbuero","offeredAt":"2021-03-01T09:15:00+01:00"}""";
        await Answer("POST /api/calls", "/api/calls", offer, Agent, 201);
        await Answer("POST /api/calls", "/api/calls", offer, Agent, 200);
        await Answer("POST /api/calls/{callId}/answered", $"/api/calls/{callId}/answered", """{"answeredAt":"2021-03-01T09:15:20+01:00","agentId":"agent-7"}""", Agent, 200);
        await Answer("POST /api/calls/{callId}/completed", $"/api/calls/{callId}/completed",
            """{"completedAt":"2021-03-01T09:19:00+01:00","outcome":"referred","department":"ordnungsamt"}""", Agent, 200);
        await Answer("POST /api/calls/{callId}/corrections", $"/api/calls/{callId}/corrections", """{"reason":"Zeit falsch","answeredAt":"2021-03-01T09:15:25+01:00"}""", Agent, 201);
        await Answer("POST /api/referrals/{referralId}/returned", $"/api/referrals/ref-{callId}/returned",
            """{"returnedAt":"2021-03-01T10:30:00+01:00","reason":"Nicht zuständig"}""", Clerk, 200);
        var abandoned = await GivenCall(contract);
        await Answer("POST /api/calls/{callId}/abandoned", $"/api/calls/{abandoned}/abandoned", """{"abandonedAt":"2021-03-01T09:16:00+01:00"}""", Agent, 200);

        var moved = await GivenAppointment();
        await Answer("POST /api/appointments/{appointmentId}/rescheduled", $"/api/appointments/{moved}/rescheduled", """{"startsAt":"2021-03-03T10:00:00+01:00"}""", Agent, 200);
        await Answer("POST /api/appointments/{appointmentId}/cancelled", $"/api/appointments/{moved}/cancelled", """{"reason":"krank"}""", Agent, 200);
        await Answer("POST /api/appointments/{appointmentId}/missed", $"/api/appointments/{await GivenAppointment()}/missed", "{}", Agent, 200);

        await Answer("POST /api/contracts/{contractId}/closure-days", $"/api/contracts/{contract}/closure-days", """{"date":"2021-07-01"}""", Tokens.ContractAdmin(), 200);
        await Answer("POST /api/contracts/{contractId}/closure-days/{date}/removal", $"/api/contracts/{contract}/closure-days/2021-07-01/removal", "{}",
            Tokens.ContractAdmin(), 200);

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static bool IsComponentOrListOfOne(JsonNode? schema) =>
        schema?["$ref"] is not null || ((string?)schema?["type"] == "array" && schema["items"]?["$ref"] is not null);
}
