using System.Text.Json.Nodes;
using Alba;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>Base of the integration tests: the real API over HTTP, against real PostgreSQL.</summary>
[Collection(ApiCollection.Name)]
public abstract class ApiTest(AppFixture fixture)
{
    protected AppFixture Fixture { get; } = fixture;

    protected IAlbaHost Host => Fixture.Host;

    /// <summary>An id no other test uses, so tests need no wipe between them.</summary>
    protected static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    /// <param name="on">Another host than the collection's (<see cref="OwnHost"/>).</param>
    protected async Task<JsonNode> Send(HttpMethod method, string url, string? json, string? token, int status, IAlbaHost? on = null)
    {
        var result = await (on ?? Host).Scenario(s =>
        {
            if (method == HttpMethod.Get)
            {
                s.Get.Url(url);
            }
            else
            {
                s.Post.Text(json ?? string.Empty).ToUrl(url);
                s.WithRequestHeader("Content-Type", "application/json");
            }

            if (token is not null)
            {
                s.WithBearerToken(token);
            }

            s.StatusCodeShouldBe(status);
        });
        var text = await result.ReadAsTextAsync();
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
    }

    /// <summary>Given: a signed contract (the demo's terms) under a new id, which it returns.</summary>
    protected async Task<string> GivenContract(Func<JsonObject, JsonObject>? change = null)
    {
        var id = UniqueId("contract");
        var body = ContractRequests.Sign(id);
        await Post("/api/contracts", change is null ? body : change(body), Tokens.ContractAdmin(), 201);
        return id;
    }

    protected Task<JsonNode> Post(string url, JsonNode body, string token, int status = 200) =>
        Send(HttpMethod.Post, url, body.ToJsonString(), token, status);

    /// <summary>The same request sent <paramref name="count"/> times at once, as a retrying telephony system may.</summary>
    protected Task<IScenarioResult[]> Racing(string url, string json, string token, int count = 4) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(_ => Host.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(url);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(token);
            s.IgnoreStatusCode();
        })));

    protected Task<JsonNode> Get(string url, string token, int status = 200, IAlbaHost? on = null) => Send(HttpMethod.Get, url, null, token, status, on);

    /// <summary>
    /// Sends a request that must be refused: checks the status, that the answer is problem details naming
    /// <paramref name="field"/> (when given), and that no event was stored anywhere.
    /// </summary>
    protected async Task<JsonObject> Refused(string url, string json, string token, int status, string? field = null, string? rule = null)
    {
        var before = await Fixture.EventCountAsync();
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(url);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(token);
            s.StatusCodeShouldBe(status);
        });

        var problem = await ProblemOf(result, status, field, rule);
        Assert.Equal(before, await Fixture.EventCountAsync());
        return problem;
    }

    /// <summary>A GET that must be refused: the status, and problem details naming <paramref name="field"/> (when given).</summary>
    protected async Task<JsonObject> RefusedGet(string url, string token, int status, string? field = null, string? rule = null)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.WithBearerToken(token);
            s.StatusCodeShouldBe(status);
        });

        return await ProblemOf(result, status, field, rule);
    }

    /// <summary>
    /// Checks that an answer is problem details with <paramref name="status"/>, naming <paramref name="field"/>
    /// (when given) with a message containing <paramref name="rule"/> (when given).
    /// </summary>
    protected static async Task<JsonObject> ProblemOf(IScenarioResult result, int status, string? field = null, string? rule = null)
    {
        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        var problem = JsonNode.Parse(await result.ReadAsTextAsync())!.AsObject();
        Assert.Equal(status, (int)problem["status"]!);
        if (field is not null)
        {
            var errors = problem["errors"]?.AsObject();
            Assert.True(errors is not null && errors.ContainsKey(field),
                $"Expected an error for '{field}', got: {problem.ToJsonString()}");
            if (rule is not null)
            {
                Assert.Contains(errors![field]!.AsArray(), m => m!.GetValue<string>().Contains(rule, StringComparison.OrdinalIgnoreCase));
            }
        }

        return problem;
    }

    protected Task<JsonObject> Refused(string url, JsonNode body, string token, int status, string? field = null, string? rule = null) =>
        Refused(url, body.ToJsonString(), token, status, field, rule);
}
