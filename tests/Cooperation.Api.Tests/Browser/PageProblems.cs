using Microsoft.Playwright;

namespace Cooperation.Api.Tests.Browser;

/// <summary>
/// What went wrong in a browser context's pages, collected from its start: console errors, uncaught exceptions,
/// answers 4xx/5xx (other than those a test expects), requests that failed, and any request to another origin.
/// </summary>
public sealed class PageProblems
{
    private const string FailedToLoad = "Failed to load resource: the server responded with a status of ";
    private readonly string _origin;
    private readonly List<(int Status, string UrlPart)> _expected = [];
    private readonly List<string> _expectedConsole = [];
    private readonly List<string> _consoleErrors = [];
    private readonly List<string> _pageErrors = [];
    private readonly List<string> _failedRequests = [];
    private readonly List<string> _foreignRequests = [];
    private readonly HashSet<IRequest> _inFlight = [];
    private DateTime _lastStartOrEnd = DateTime.UtcNow;

    public PageProblems(IBrowserContext context, Uri origin)
    {
        _origin = origin.GetLeftPart(UriPartial.Authority);
        context.Console += (_, message) =>
        {
            if (message.Type == "error" && !IsExpectedFailure(message) && !IsExpectedConsoleError(message.Text))
            {
                Add(_consoleErrors, $"{message.Text} (at {WithoutFragment(message.Location)})");
            }
        };
        context.WebError += (_, error) => Add(_pageErrors, error.Error);
        context.Request += (_, request) =>
        {
            lock (_inFlight)
            {
                _inFlight.Add(request);
                _lastStartOrEnd = DateTime.UtcNow;
            }

            if (!IsOwn(request.Url))
            {
                Add(_foreignRequests, $"{request.Method} {request.Url}");
            }
        };
        context.Response += (_, response) =>
        {
            if (response.Status >= 400 && !IsExpected(response.Status, response.Url))
            {
                Add(_failedRequests, $"{response.Status} {response.Request.Method} {WithoutFragment(response.Url)}");
            }
        };
        context.RequestFailed += (_, request) =>
        {
            Add(_failedRequests, $"{request.Failure} {request.Method} {WithoutFragment(request.Url)}");
            Ended(request);
        };
        context.RequestFinished += (_, request) => Ended(request);
    }

    public IReadOnlyList<string> ConsoleErrors => Snapshot(_consoleErrors);

    /// <summary>Uncaught exceptions and unhandled promise rejections.</summary>
    public IReadOnlyList<string> PageErrors => Snapshot(_pageErrors);

    public IReadOnlyList<string> FailedRequests => Snapshot(_failedRequests);

    /// <summary>Requests that left the service's origin (<c>data:</c> and <c>blob:</c> URLs stay in the page).</summary>
    public IReadOnlyList<string> ForeignRequests => Snapshot(_foreignRequests);

    /// <summary>
    /// An answer <paramref name="status"/> to a URL containing <paramref name="urlPart"/> is expected: not a problem,
    /// nor the console error Chromium logs for it.
    /// </summary>
    public PageProblems Expect(int status, string urlPart)
    {
        lock (_expected)
        {
            _expected.Add((status, urlPart));
        }

        return this;
    }

    /// <summary>A console error containing <paramref name="textPart"/> is expected: not a problem.</summary>
    public PageProblems ExpectConsoleError(string textPart)
    {
        lock (_expected)
        {
            _expectedConsole.Add(textPart);
        }

        return this;
    }

    /// <summary>
    /// Waits until the context's pages have had no request in flight for half a second (at most 30 s: a page that
    /// holds a connection open never gets there), then fails the test listing every problem.
    /// </summary>
    public async Task AssertNoneAsync()
    {
        await QuietAsync(TimeSpan.FromSeconds(30));

        var problems = new[]
        {
            ("console errors", ConsoleErrors), ("uncaught errors", PageErrors), ("failed requests", FailedRequests),
            ("requests to another origin", ForeignRequests),
        }.Where(p => p.Item2.Count > 0).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems.Select(p => $"{p.Item1}:\n  " + string.Join("\n  ", p.Item2))));
    }

    /// <summary>Waits until no request has been in flight for half a second.</summary>
    public async Task QuietAsync(TimeSpan within)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            lock (_inFlight)
            {
                if (_inFlight.Count == 0 && DateTime.UtcNow - _lastStartOrEnd >= TimeSpan.FromMilliseconds(500))
                {
                    return;
                }

                if (waited.Elapsed > within)
                {
                    throw new TimeoutException($"Requests still in flight after {within.TotalSeconds:N0} s: "
                        + string.Join(", ", _inFlight.Select(r => $"{r.Method} {WithoutFragment(r.Url)}")));
                }
            }

            await Task.Delay(50);
        }
    }

    private void Ended(IRequest request)
    {
        lock (_inFlight)
        {
            _inFlight.Remove(request);
            _lastStartOrEnd = DateTime.UtcNow;
        }
    }

    private bool IsOwn(string url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri)
        || uri.Scheme is not ("http" or "https" or "ws" or "wss")
        || string.Equals(uri.GetLeftPart(UriPartial.Authority), _origin, StringComparison.OrdinalIgnoreCase);

    private bool IsExpected(int status, string url)
    {
        lock (_expected)
        {
            return _expected.Any(e => e.Status == status && url.Contains(e.UrlPart, StringComparison.Ordinal));
        }
    }

    private bool IsExpectedConsoleError(string text)
    {
        lock (_expected)
        {
            return _expectedConsole.Any(part => text.Contains(part, StringComparison.Ordinal));
        }
    }

    /// <summary>Chromium's "Failed to load resource: the server responded with a status of 404 (Not Found)", located at the resource.</summary>
    private bool IsExpectedFailure(IConsoleMessage message) =>
        message.Text.StartsWith(FailedToLoad, StringComparison.Ordinal)
        && int.TryParse(message.Text.AsSpan(FailedToLoad.Length, 3), out var status)
        && IsExpected(status, message.Location);

    /// <summary>A URL as it may be printed: a token travels in the fragment.</summary>
    private static string WithoutFragment(string url) => url.Split('#')[0];

    private static void Add(List<string> list, string item)
    {
        lock (list)
        {
            list.Add(item);
        }
    }

    private static List<string> Snapshot(List<string> list)
    {
        lock (list)
        {
            return [.. list];
        }
    }
}
