using System.Net;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Cooperation.Api.Tests.Browser;

/// <summary>The browser tests' own machinery, proved on what the service serves already: the Swagger UI.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserSmokeTests(BrowserFixture browser, ITestOutputHelper output)
{
    /// <summary>The Swagger UI sets an inline style, which the service's CSP refuses (see the README): its one console error.</summary>
    private const string SwaggerInlineStyle = "Applying inline style violates the following Content Security Policy directive 'style-src 'self''";

    [Fact]
    public async Task The_Swagger_UI_renders_in_Chromium_from_the_service_alone_and_is_measured_photographed_and_scanned()
    {
        output.WriteLine(browser.StartTimes);
        await using var session = await browser.NewSessionAsync("en-US");
        session.Problems.ExpectConsoleError(SwaggerInlineStyle);

        await session.Page.GotoAsync("/swagger/index.html");
        await Assertions.Expect(session.Page.Locator(".swagger-ui .info .title")).ToContainTextAsync("Cooperation API");
        await Assertions.Expect(session.Page.Locator(".opblock").First).ToBeVisibleAsync();

        var timing = await FirstView.MeasureAsync(session.Page, output);
        Assert.Equal("load", timing.Until); // the Swagger UI sets no mark
        await session.Problems.AssertNoneAsync();
        var path = await Screenshots.SaveToAsync(session.Page, Path.Combine(Path.GetTempPath(), $"swagger-{Guid.NewGuid():N}.png"));
        try
        {
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(path))[..4]);
        }
        finally
        {
            File.Delete(path);
        }

        var scan = System.Diagnostics.Stopwatch.StartNew();
        await Accessibility.ViolationsAsync(session.Page, output); // the Swagger UI's own: reported, not ours to fail on
        output.WriteLine($"axe scan {scan.Elapsed.TotalSeconds:N1} s");
    }

    [Fact]
    public async Task The_accessibility_check_fails_on_a_serious_violation_naming_rule_impact_and_element_and_passes_a_clean_page()
    {
        await using var session = await browser.NewSessionAsync();
        const string page = """
            <!doctype html><html lang="de"><head><title>Test</title></head>
            <body><main><h1>Bericht</h1><img id="chart" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" {0}></main></body></html>
            """;

        await session.Page.SetContentAsync(page.Replace("{0}", string.Empty, StringComparison.Ordinal));
        var failed = await Assert.ThrowsAsync<TrueException>(() => Accessibility.AssertNoSeriousViolationsAsync(session.Page, output));
        Assert.Contains("image-alt (critical)", failed.Message, StringComparison.Ordinal);
        Assert.Contains("#chart", failed.Message, StringComparison.Ordinal);

        await session.Page.SetContentAsync(page.Replace("{0}", "alt=\"Anrufe je Stunde\"", StringComparison.Ordinal));
        await Accessibility.AssertNoSeriousViolationsAsync(session.Page, output);
    }

    [Theory]
    [InlineData("de-DE", "1.234,5")]
    [InlineData("en-US", "1,234.5")]
    public async Task A_session_speaks_its_locale_to_the_page_and_to_the_service(string locale, string number)
    {
        await using var session = await browser.NewSessionAsync(locale);
        var language = session.Page.WaitForRequestAsync("**/swagger/index.html");
        await session.Page.GotoAsync("/swagger/index.html");

        Assert.Equal(locale, await session.Page.EvaluateAsync<string>("navigator.language"));
        Assert.Equal(number, await session.Page.EvaluateAsync<string>("(1234.5).toLocaleString()"));
        Assert.StartsWith(locale, (await (await language).AllHeadersAsync())["accept-language"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_in_the_fragment_reaches_the_page_not_the_server_and_the_service_trusts_it()
    {
        var contract = $"contract-{Guid.NewGuid().ToString("N")[..10]}";
        await browser.PostAsync("/api/contracts", ContractRequests.Sign(contract), Tokens.ContractAdmin(), HttpStatusCode.Created);
        await using var session = await browser.NewSessionAsync();
        session.Problems.Expect(404, "/api/contracts/no-such-contract").ExpectConsoleError(SwaggerInlineStyle);
        var served = session.Page.WaitForRequestAsync("**/swagger/index.html");

        await session.Page.GotoAsync(BrowserFixture.Url("/swagger/index.html", Tokens.For("finance", "castrop-rauxel")));

        Assert.DoesNotContain("token", (await served).Url.Replace("/swagger/index.html", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        const string fetch = """
            async url => {
                const response = await fetch(url, { headers: { Authorization: 'Bearer ' + decodeURIComponent(location.hash.slice('#token='.length)) } });
                await response.text(); // a body not read keeps its request open
                return response.status;
            }
            """;
        Assert.Equal(200, await session.Page.EvaluateAsync<int>(fetch, $"/api/contracts/{contract}"));
        Assert.Equal(404, await session.Page.EvaluateAsync<int>(fetch, "/api/contracts/no-such-contract"));
        await session.Problems.AssertNoneAsync(); // the expected 404 and its console line are not problems
    }

    [Fact]
    public async Task The_demo_data_is_seeded_once_into_the_services_schema_with_its_reports_current()
    {
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        await browser.DemoDataAsync();
        output.WriteLine($"demo data seeded and reported in {seeding.Elapsed.TotalSeconds:N1} s");
        seeding.Restart();
        await browser.DemoDataAsync();
        Assert.True(seeding.Elapsed < TimeSpan.FromSeconds(1), "The second call seeded again.");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/reports/quarterly/bochum-castrop-rauxel/2021/1");
        request.Headers.Authorization = new("Bearer", Tokens.For("finance", "castrop-rauxel"));
        using var response = await browser.Http.SendAsync(request);
        var report = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True((int)report["total"]!["offered"]! > 5_000, report.ToJsonString());
    }

    [Fact]
    public async Task The_first_view_is_timed_until_the_pages_ready_mark()
    {
        await using var session = await browser.NewSessionAsync();
        await ServeAsync(session, "/ready.html", $"setTimeout(() => performance.mark('{FirstView.ReadyMark}'), 300);");

        await session.Page.GotoAsync("/ready.html");
        var timing = await FirstView.MeasureAsync(session.Page, output, markWithin: TimeSpan.FromSeconds(10));

        Assert.Equal(FirstView.ReadyMark, timing.Until);
        Assert.InRange(timing.Milliseconds, 300, 10_000);
        Assert.True(timing.Milliseconds >= timing.Load, timing.ToString());
    }

    [Fact]
    public async Task The_problems_of_a_page_are_collected_console_errors_uncaught_errors_failed_and_foreign_requests()
    {
        await using var session = await browser.NewSessionAsync();
        await ServeAsync(session, "/problems.html", $$"""
            console.error('broken');
            setTimeout(() => { throw new Error('uncaught'); });
            fetch('/no-such-file.js');
            fetch('http://localhost:{{browser.BaseAddress.Port}}/health', { mode: 'no-cors' });
            """);

        await session.Page.GotoAsync("/problems.html");

        var failed = await Assert.ThrowsAsync<TrueException>(session.Problems.AssertNoneAsync);
        Assert.Contains("broken", failed.Message, StringComparison.Ordinal);
        Assert.Contains("uncaught", failed.Message, StringComparison.Ordinal);
        Assert.Contains($"404 GET {browser.BaseAddress}no-such-file.js", failed.Message, StringComparison.Ordinal);
        Assert.Contains($"requests to another origin:\n  GET http://localhost:{browser.BaseAddress.Port}/health", failed.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Serves a page at <paramref name="path"/> of the service's origin from the test, with <paramref name="script"/>
    /// inline and without the service's CSP (which would refuse the script, and any request to another origin).
    /// </summary>
    private static Task ServeAsync(BrowserSession session, string path, string script) =>
        session.Page.RouteAsync("**" + path, route => route.FulfillAsync(new()
        {
            ContentType = "text/html",
            Body = $"<!doctype html><html lang=\"en\"><head><title>Test</title><script>{script}</script></head><body></body></html>",
        }));
}
