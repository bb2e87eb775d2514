using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Cooperation.LocalPostgres;
using Microsoft.Playwright;

namespace Cooperation.Api.Tests.Browser;

/// <summary>
/// The service as its own process (a real Kestrel, which a browser can reach; Alba's TestServer it cannot) on a free
/// port and a schema of its own, and one headless Chromium for all browser tests: Debian's <c>chromium</c>, installed
/// with apt when missing (Playwright's own browser download is not reachable here). Each test takes a fresh
/// <see cref="BrowserSession"/>. The service serves <c>src/Cooperation.Api/wwwroot</c> as it is in the checkout; data
/// comes from the tests through the API (<see cref="PostAsync"/>) or the demo's seed (<see cref="DemoDataAsync"/>).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's wrapper script, which starts <c>/usr/lib/chromium/chromium</c>.</summary>
    public const string Chromium = "/usr/bin/chromium";

    private const string TestDatabase = "cooperation_test";
    private static readonly SemaphoreSlim Installing = new(1, 1);
    private readonly SemaphoreSlim _seeding = new(1, 1);
    private IPlaywright? _playwright;
    private Process? _service;
    private bool _seeded;

    public string Schema { get; } = "browser_" + Guid.NewGuid().ToString("N")[..10];

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The service's origin, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client of the service's API, for the "given" of a test and for checks beside the browser.</summary>
    public HttpClient Http { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>How long the start took, phase by phase (the service and the browser start side by side).</summary>
    public string StartTimes { get; private set; } = string.Empty;

    /// <summary>The service's content root: its source folder, so that it serves <c>wwwroot</c> as checked out.</summary>
    public static string ContentRoot => Path.Combine(Tools.RepositoryRoot(), "src", "Cooperation.Api");

    public async Task InitializeAsync()
    {
        try
        {
            var total = Stopwatch.StartNew();
            var chromium = await Timed(() => EnsureChromiumAsync(Console.WriteLine));
            var database = await Timed(async () => ConnectionString = await LocalDatabase.EnsureAsync(TestDatabase, Console.WriteLine));
            var port = AppProcess.FreePort();
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            var service = Timed(async () => _service = await AppProcess.StartServiceAsync(ServiceEnvironment(port), Http, ContentRoot));
            var browser = Timed(async () =>
            {
                _playwright = await Playwright.CreateAsync();
                // Playwright adds --no-sandbox (its default, needed as root), --headless and --disable-dev-shm-usage itself.
                Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
            });
            await Task.WhenAll(service, browser);
            StartTimes = $"browser fixture started in {total.Elapsed.TotalSeconds:N1} s: chromium {chromium}, database {database}, "
                + $"service {await service} and browser {await browser} side by side (Chromium {Browser.Version})";
            Console.WriteLine(StartTimes);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Closes the browser, kills the service and drops its schema; also after a start that failed half-way.</summary>
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
            Browser = null!;
        }

        _playwright?.Dispose();
        _playwright = null;
        if (_service is not null)
        {
            _service.Kill(entireProcessTree: true);
            await _service.WaitForExitAsync();
            _service.Dispose();
            _service = null;
        }

        Http?.Dispose();
        if (ConnectionString.Length > 0)
        {
            await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
            ConnectionString = string.Empty;
        }
    }

    /// <summary>
    /// A fresh browser context (no cookies, no storage) with one page, in <paramref name="locale"/> (its
    /// <c>navigator.language</c> and <c>Accept-Language</c>) and Berlin's time zone, downloads accepted, relative URLs
    /// against the service, and its problems collected from the start.
    /// </summary>
    public async Task<BrowserSession> NewSessionAsync(string locale = "de-DE")
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = BaseAddress.ToString(),
            Locale = locale,
            TimezoneId = "Europe/Berlin",
            AcceptDownloads = true,
            ViewportSize = new() { Width = 1280, Height = 800 },
        });
        var problems = new PageProblems(context, BaseAddress);
        return new BrowserSession(context, await context.NewPageAsync(), problems);
    }

    /// <summary>
    /// <paramref name="path"/> with <paramref name="token"/> in its fragment (<c>/#token=…</c>): a fragment never
    /// reaches the server or its logs, and changing only the fragment does not reload the page.
    /// </summary>
    public static string Url(string path, string? token = null) => token is null ? path : $"{path}#token={Uri.EscapeDataString(token)}";

    /// <summary>POSTs <paramref name="body"/> to the service with <paramref name="token"/>; fails unless the answer is <paramref name="status"/>.</summary>
    public async Task<JsonNode?> PostAsync(string url, JsonNode body, string token, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"POST {url}: {(int)response.StatusCode} instead of {(int)status}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>GETs <paramref name="url"/> as <paramref name="accept"/> with <paramref name="token"/>; fails unless 200.</summary>
    public async Task<string> GetAsync(string url, string token, string accept = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode}: {text}");
        return text;
    }

    public async Task<JsonNode> GetJsonAsync(string url, string token) => JsonNode.Parse(await GetAsync(url, token))!;

    /// <summary>
    /// The demo's data (the contract <c>bochum-castrop-rauxel</c>, its calls, referrals, appointments and invoices;
    /// see the README) in this fixture's schema, seeded once by <c>demo --seed-only</c> (about a minute), with
    /// the reports caught up.
    /// </summary>
    public async Task DemoDataAsync()
    {
        await _seeding.WaitAsync();
        try
        {
            if (!_seeded)
            {
                var seed = await Timed(() => AppProcess.RunAsync(ServiceEnvironment(BaseAddress.Port), ContentRoot, "demo", "--seed-only"));
                var reports = await Timed(() => AppProcess.ReportsCurrentAsync(Http, TimeSpan.FromMinutes(3)));
                Console.WriteLine($"demo data seeded in {seed}, the service's reports current {reports} later");
                _seeded = true;
            }
        }
        finally
        {
            _seeding.Release();
        }
    }

    /// <summary>
    /// Exactly the settings this service needs: what other fixtures put into the tests' environment (which a started
    /// process would inherit) is removed.
    /// </summary>
    private Dictionary<string, string> ServiceEnvironment(int port)
    {
        var environment = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("Cooperation__", StringComparison.Ordinal)
                || name.StartsWith("Authentication__", StringComparison.Ordinal)
                || name.StartsWith("ConnectionStrings__", StringComparison.Ordinal))
            .ToDictionary(name => name, _ => string.Empty); // empty: removed (AppProcess)
        foreach (var (name, value) in Tokens.HostSettings)
        {
            environment[name] = value;
        }

        environment[LocalDatabase.EnvironmentVariable] = ConnectionString;
        environment["Cooperation__Schema"] = Schema;
        environment["Cooperation__HealthFresh"] = "00:00:00"; // DemoDataAsync waits on /health
        environment["Cooperation__DailyDigest"] = "false";
        environment["Cooperation__DailyRetention"] = "false"; // the demo's calls lie years back
        foreach (var bucket in new[] { "PerClient", "PerAddress" })
        {
            environment[$"Cooperation__RateLimits__{bucket}__Burst"] = "1000000"; // every page load comes from 127.0.0.1
            environment[$"Cooperation__RateLimits__{bucket}__PerSecond"] = "1000000";
        }

        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}"; // not --urls: the app's command line would take it
        return environment;
    }

    /// <summary>Debian's <c>chromium</c>, installed with apt when missing and the process is root.</summary>
    private static async Task EnsureChromiumAsync(Action<string> log)
    {
        await Installing.WaitAsync();
        try
        {
            if (File.Exists(Chromium))
            {
                return;
            }

            if (Environment.UserName != "root")
            {
                throw new InvalidOperationException(
                    $"The browser tests need {Chromium}, and only root can install it here: run `apt-get install -y chromium` once, or the tests as root.");
            }

            // Without what chromium recommends (udev, upower, a printer dialog, Perl, … twice the download): a
            // headless browser needs none of it. Liberation's fonts stand in for Arial, Helvetica and Times.
            log("Browser tests: chromium missing, installing it with apt …");
            await Tools.AptInstallAsync(["chromium", "fonts-liberation"], log, recommends: false);
            if (!File.Exists(Chromium))
            {
                throw new InvalidOperationException($"apt installed chromium, but {Chromium} is still missing.");
            }
        }
        finally
        {
            Installing.Release();
        }
    }

    private static async Task<string> Timed(Func<Task> step)
    {
        var watch = Stopwatch.StartNew();
        await step();
        return $"{watch.Elapsed.TotalSeconds:N1} s";
    }
}

/// <summary>
/// The browser tests share one service process and one browser. They run after the other collections, alone: the
/// service process and Chromium would otherwise take cores from the timing-sensitive API tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>A test's own browser context and page, with what went wrong in them; disposing closes the context.</summary>
public sealed class BrowserSession(IBrowserContext context, IPage page, PageProblems problems) : IAsyncDisposable
{
    public IBrowserContext Context { get; } = context;

    public IPage Page { get; } = page;

    public PageProblems Problems { get; } = problems;

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
