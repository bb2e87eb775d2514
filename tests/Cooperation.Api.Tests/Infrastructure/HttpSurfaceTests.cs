using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Alba;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// What every answer says about itself: security headers, rate-limit headers, no caching of API answers, no CORS unless
/// configured, no server banner, the Swagger UI only where wanted.
/// </summary>
public sealed class HttpSurfaceTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string DashboardOrigin = "https://dashboard.example.org";

    /// <summary>Answers of every kind: 2xx, 400 (the input guard, JSON), 401, 403, 404, 405, health and the OpenAPI files.</summary>
    public static TheoryData<string, string, string?, int> Answers() => new()
    {
        { "GET", "/api/contracts", "auditor", 200 },
        { "GET", "/api/contracts", null, 401 },
        { "GET", "/api/audit/events?from=2021-01-01T00:00:00Z&to=2021-01-02T00:00:00Z", "contract-admin", 403 },
        { "GET", "/api/nothing-here", "auditor", 404 },
        { "GET", "/api/appointments?contractId=a%01b", "auditor", 400 },
        { "POST", "/api/contracts", "contract-admin", 400 },
        { "POST", "/api/contracts/some-contract", "contract-admin", 405 },
        { "GET", "/health", null, 200 },
        { "GET", "/swagger/v1/swagger.json", null, 200 },
        { "GET", "/swagger/index.html", null, 200 },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task Every_answer_carries_the_security_headers_and_every_limited_one_the_rate_limit_headers(
        string method, string url, string? role, int status)
    {
        var result = await Host.Scenario(s =>
        {
            if (method == "GET")
            {
                s.Get.Url(url);
            }
            else
            {
                s.Post.Text("{ not json").ToUrl(url);
                s.WithRequestHeader("Content-Type", "application/json");
            }

            if (role is not null)
            {
                s.WithBearerToken(Tokens.For(role));
            }

            s.StatusCodeShouldBe(status);
        });

        var headers = result.Context.Response.Headers;
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
        Assert.Equal(HttpSurface.ContentSecurityPolicy, headers.ContentSecurityPolicy.ToString());
        Assert.Equal("no-referrer", headers["Referrer-Policy"].ToString());
        Assert.Equal("DENY", headers.XFrameOptions.ToString());
        if (url.StartsWith("/api", StringComparison.Ordinal))
        {
            Assert.Equal("no-store", headers.CacheControl.ToString());
        }

        if (url == "/health")
        {
            Assert.False(headers.ContainsKey(RateLimits.LimitHeader)); // not limited (load balancers)
            return;
        }

        foreach (var name in new[] { RateLimits.LimitHeader, RateLimits.RemainingHeader, RateLimits.ResetHeader })
        {
            Assert.True(int.TryParse(headers[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out _), $"{name}: '{headers[name]}'");
        }
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/lib/chart.umd.min.js", "text/javascript")]
    public async Task The_dashboards_files_are_served_to_anyone_with_the_security_headers_revalidated_on_every_load(string url, string type)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(200);
        });

        var headers = result.Context.Response.Headers;
        Assert.StartsWith(type, result.Context.Response.ContentType, StringComparison.Ordinal);
        Assert.Equal(HttpSurface.ContentSecurityPolicy, headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", headers.XContentTypeOptions.ToString());
        Assert.Equal("no-cache", headers.CacheControl.ToString());
        Assert.False(headers.ContainsKey(RateLimits.LimitHeader)); // before the limiter: the same for everyone, no data
    }

    [Fact]
    public async Task Without_configured_origins_no_answer_allows_another_origin()
    {
        var preflight = await Preflight(Host, DashboardOrigin);
        var read = await Host.Scenario(s =>
        {
            s.Get.Url("/api/contracts");
            s.WithRequestHeader("Origin", DashboardOrigin);
            s.WithBearerToken(Tokens.Auditor);
        });

        Assert.InRange(preflight.Context.Response.StatusCode, 400, 499);
        foreach (var answer in new[] { preflight, read })
        {
            Assert.DoesNotContain(answer.Context.Response.Headers.Keys, k => k.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task With_configured_origins_only_those_may_call_with_a_token_and_read_the_rate_limit_headers()
    {
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?>
        {
            ["Cooperation__Cors__AllowedOrigins__0"] = DashboardOrigin,
        });

        var allowed = (await Preflight(own.Host, DashboardOrigin)).Context.Response;
        Assert.Equal(204, allowed.StatusCode);
        Assert.Equal(DashboardOrigin, allowed.Headers.AccessControlAllowOrigin.ToString());
        Assert.Contains("authorization", allowed.Headers.AccessControlAllowHeaders.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("POST", allowed.Headers.AccessControlAllowMethods.ToString(), StringComparison.Ordinal);
        Assert.False(allowed.Headers.ContainsKey("Access-Control-Allow-Credentials")); // bearer tokens, no cookies

        var foreign = (await Preflight(own.Host, "https://elsewhere.example.org")).Context.Response;
        Assert.False(foreign.Headers.ContainsKey("Access-Control-Allow-Origin"));

        var read = await own.Host.Scenario(s =>
        {
            s.Get.Url("/api/contracts");
            s.WithRequestHeader("Origin", DashboardOrigin);
            s.WithBearerToken(Tokens.Auditor);
        });
        Assert.Equal(DashboardOrigin, read.Context.Response.Headers.AccessControlAllowOrigin.ToString());
        Assert.Contains(RateLimits.RemainingHeader, read.Context.Response.Headers.AccessControlExposeHeaders.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_swagger_ui_the_OpenAPI_document_is_still_served()
    {
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?> { ["Cooperation__SwaggerUI"] = "false" });

        await own.Host.Scenario(s =>
        {
            s.Get.Url("/swagger/index.html");
            s.StatusCodeShouldBe(404);
        });
        await own.Host.Scenario(s =>
        {
            s.Get.Url("/swagger/v1/swagger.json");
            s.StatusCodeShouldBe(200);
        });
    }

    /// <summary>
    /// Through Kestrel, in Production, as an operator runs it: no <c>Server</c> header, no Swagger UI by default, the
    /// production rate limits, and a body over the limit refused also when it comes in chunks without a length.
    /// </summary>
    [Fact]
    public async Task The_service_in_production_names_no_server_serves_no_swagger_ui_and_refuses_an_oversized_chunked_body()
    {
        var schema = "surface_" + Guid.NewGuid().ToString("N")[..10];
        var port = AppProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Cooperation"] = Fixture.ConnectionString,
            ["Cooperation__Schema"] = schema,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Cooperation__CallerHashKey"] = "a-caller-hash-key-of-the-surface-test-run",
            ["Cooperation__DailyDigest"] = "false",
            ["Cooperation__DailyRetention"] = "false",
        };
        foreach (var bucket in new[] { "PerClient", "PerAddress" }) // the production defaults, not the tests' (inherited)
        {
            environment[$"Cooperation__RateLimits__{bucket}__Burst"] = string.Empty;
            environment[$"Cooperation__RateLimits__{bucket}__PerSecond"] = string.Empty;
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await AppProcess.RunAsync(environment, null, "resources", "setup");
            using var service = await AppProcess.StartServiceAsync(environment, http);
            try
            {
                using var health = await http.GetAsync("/health");
                using var contracts = await SendAsync(http, HttpMethod.Get, "/api/contracts", null);
                using var ui = await http.GetAsync("/swagger/index.html");
                using var document = await http.GetAsync("/swagger/v1/swagger.json");
                foreach (var answer in new[] { health, contracts, ui, document })
                {
                    Assert.False(answer.Headers.Contains("Server"), $"{answer.RequestMessage!.RequestUri}: Server {string.Join(',', answer.Headers.Server)}");
                    Assert.Equal("nosniff", string.Join(',', answer.Headers.GetValues("X-Content-Type-Options")));
                }

                Assert.Equal(HttpStatusCode.OK, contracts.StatusCode);
                Assert.Equal("1000", string.Join(',', contracts.Headers.GetValues(RateLimits.LimitHeader)));
                Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
                Assert.Equal(HttpStatusCode.OK, document.StatusCode);

                // 80 KB of a contract, sent as it is written (chunked, no Content-Length), then with its length.
                var json = ContractRequests.Sign(UniqueId("contract")).ToJsonString() + new string(' ', 80 * 1024);
                foreach (var chunked in new[] { true, false })
                {
                    using var refused = await SendAsync(http, HttpMethod.Post, "/api/contracts", json, chunked);
                    Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
                    Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                    Assert.Contains("65,536 bytes (64 KB)", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                }
            }
            finally
            {
                service.Kill(entireProcessTree: true);
                await service.WaitForExitAsync();
            }
        }
        finally
        {
            await Fixture.DropSchemaAsync(schema);
        }
    }

    /// <summary>A browser's preflight before a POST with a token from <paramref name="origin"/>.</summary>
    private static Task<IScenarioResult> Preflight(IAlbaHost host, string origin) =>
        host.Scenario(s =>
        {
            s.ConfigureHttpContext(c =>
            {
                c.Request.Method = "OPTIONS";
                c.Request.Path = "/api/contracts";
                c.Request.Headers.Origin = origin;
                c.Request.Headers.AccessControlRequestMethod = "POST";
                c.Request.Headers.AccessControlRequestHeaders = "authorization,content-type";
            });
            s.IgnoreStatusCode();
        });

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, string? json, bool chunked = false)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", method == HttpMethod.Get ? Tokens.Auditor : Tokens.ContractAdmin());
        if (json is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(json);
            request.Content = chunked ? new StreamContent(new MemoryStream(bytes)) : new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TransferEncodingChunked = chunked;
        }

        return http.SendAsync(request);
    }
}
