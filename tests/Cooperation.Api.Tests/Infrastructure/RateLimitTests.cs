using System.Globalization;
using System.Text.Json.Nodes;
using Alba;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// The rate limits on a host of their own with tiny buckets (3 at once, 1 a second back): the shared host's are far
/// above anything the tests send.
/// </summary>
public sealed class RateLimitTests(AppFixture fixture) : ApiTest(fixture)
{
    private const int Burst = 3;

    [Fact]
    public async Task A_client_past_its_burst_gets_429_with_Retry_After_others_are_served_and_it_is_served_again_after_waiting()
    {
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?>
        {
            ["Cooperation__RateLimits__PerClient__Burst"] = $"{Burst}",
            ["Cooperation__RateLimits__PerClient__PerSecond"] = "1",
            ["Cooperation__RateLimits__PerAddress__Burst"] = $"{Burst}",
            ["Cooperation__RateLimits__PerAddress__PerSecond"] = "1",
        });
        var alice = Tokens.For("auditor", subject: "alice");

        // A refill may fall between two requests, so the burst is sent until refused (it must be, soon).
        var (served, refused) = await UntilRefused(own.Host, alice);
        Assert.True(served.Count >= Burst, $"Refused after {served.Count} requests; the bucket holds {Burst}.");
        Assert.Equal($"{Burst}", served[0].Context.Response.Headers["RateLimit-Limit"].ToString());
        Assert.Equal($"{Burst - 1}", served[0].Context.Response.Headers["RateLimit-Remaining"].ToString());
        Assert.Equal("1", served[0].Context.Response.Headers["RateLimit-Reset"].ToString()); // full again in a second

        var problem = await ProblemOf(refused, 429);
        Assert.Contains("Too many requests", (string)problem["title"]!, StringComparison.Ordinal);
        var retryAfter = int.Parse(refused.Context.Response.Headers.RetryAfter.ToString(), CultureInfo.InvariantCulture);
        Assert.Equal(1, retryAfter); // one permit back a second
        Assert.Equal("0", refused.Context.Response.Headers["RateLimit-Remaining"].ToString());
        Assert.Equal($"{Burst}", refused.Context.Response.Headers["RateLimit-Reset"].ToString());
        Assert.Equal("nosniff", refused.Context.Response.Headers.XContentTypeOptions.ToString()); // the security headers too
        Assert.Equal($"{Burst}", refused.Context.Response.Headers["RateLimit-Limit"].ToString());

        // Another client (another subject) has a bucket of its own.
        var bob = await Send(own.Host, Tokens.For("auditor", subject: "bob"), "/api/contracts", 200);
        Assert.Equal($"{Burst - 1}", bob.Context.Response.Headers["RateLimit-Remaining"].ToString());

        // Without a valid token the address is counted: refusals (401) too, until 429.
        var (anonymous, anonymousRefused) = await UntilRefused(own.Host, null);
        Assert.All(anonymous, r => Assert.Equal(401, r.Context.Response.StatusCode));
        Assert.All(anonymous, r => Assert.NotEmpty(r.Context.Response.Headers["RateLimit-Remaining"].ToString()));
        await ProblemOf(anonymousRefused, 429);
        // A token that is not valid is no client: it draws on the same, empty bucket (a second may have put one back).
        var (forged, _) = await UntilRefused(own.Host, Tokens.Forged);
        Assert.True(forged.Count <= 1, $"{forged.Count} requests with a forged token were served after the address's bucket was empty.");
        await Send(own.Host, Tokens.For("auditor", subject: "carol"), "/api/contracts", 200); // clients are not the address

        // Load balancers' probes are never limited.
        var health = await Send(own.Host, null, "/health", 200);
        Assert.False(health.Context.Response.Headers.ContainsKey("RateLimit-Limit"));

        // The limiter refills on a 100 ms timer: Retry-After and a little more.
        await Task.Delay(TimeSpan.FromSeconds(retryAfter) + TimeSpan.FromMilliseconds(300));
        await Send(own.Host, alice, "/api/contracts", 200);
    }

    /// <summary>Verifying every chain costs seconds of CPU on a large store: one at a time per client, whatever its bucket.</summary>
    [Fact]
    public async Task A_client_verifies_the_chains_one_at_a_time_and_others_meanwhile()
    {
        var audrey = Tokens.For("auditor", subject: "audrey-" + Guid.NewGuid().ToString("N"));
        // At once, some overlap on two cores; should the machine serialise a round, another round is sent.
        for (var round = 0; ; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Send(Host, audrey, "/api/audit/verify", null)));
            var statuses = answers.Select(a => a.Context.Response.StatusCode).ToList();
            Assert.All(statuses, s => Assert.True(s is 200 or 429, $"verify answered {s}"));
            if (statuses.Contains(429))
            {
                Assert.Contains(200, statuses);
                var refused = answers.First(a => a.Context.Response.StatusCode == 429);
                Assert.Equal("1", refused.Context.Response.Headers.RetryAfter.ToString());
                await ProblemOf(refused, 429);
                break;
            }

            Assert.True(round < 5, "Six verifications at once were never refused in five rounds.");
        }

        await Send(Host, audrey, "/api/audit/verify", 200); // one at a time is served
    }

    private static async Task<(List<IScenarioResult> Served, IScenarioResult Refused)> UntilRefused(IAlbaHost host, string? token)
    {
        var served = new List<IScenarioResult>();
        for (var i = 0; i < Burst + 20; i++)
        {
            var result = await Send(host, token, "/api/contracts", null);
            if (result.Context.Response.StatusCode == 429)
            {
                return (served, result);
            }

            served.Add(result);
        }

        Assert.Fail($"{served.Count} requests in a row were not refused; the bucket holds {Burst}, refilled by 1 a second.");
        throw new InvalidOperationException(); // not reached
    }

    private static Task<IScenarioResult> Send(IAlbaHost host, string? token, string url, int? status) =>
        host.Scenario(s =>
        {
            s.Get.Url(url);
            if (token is not null)
            {
                s.WithBearerToken(token);
            }

            if (status is { } expected)
            {
                s.StatusCodeShouldBe(expected);
            }
            else
            {
                s.IgnoreStatusCode();
            }
        });
}
