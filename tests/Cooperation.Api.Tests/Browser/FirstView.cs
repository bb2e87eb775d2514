using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Browser;

/// <summary>
/// How long a page's first view took, as the browser measured it (Navigation Timing, milliseconds since the
/// navigation started): until the page's own <c>performance.mark</c> when it set one, else until its load event.
/// </summary>
/// <param name="Until">The mark's name, or <c>load</c>.</param>
public sealed record FirstViewTiming(string Until, double Milliseconds, double ResponseEnd, double DomContentLoaded, double Load, double? FirstContentfulPaint)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Until} after {Milliseconds:F0} ms (response end {ResponseEnd:F0} ms, DOMContentLoaded {DomContentLoaded:F0} ms, "
        + $"load {Load:F0} ms, first contentful paint {(FirstContentfulPaint is { } paint ? $"{paint:F0} ms" : "none")})");
}

public static class FirstView
{
    /// <summary>The mark the dashboard sets when its first view shows its data: <c>performance.mark('dashboard-ready')</c>.</summary>
    public const string ReadyMark = "dashboard-ready";

    private const string Script = """
        mark => {
            const navigation = performance.getEntriesByType('navigation')[0];
            const ready = performance.getEntriesByName(mark, 'mark')[0];
            const paint = performance.getEntriesByName('first-contentful-paint')[0];
            return {
                mark: ready ? ready.startTime : null,
                responseEnd: navigation.responseEnd,
                domContentLoaded: navigation.domContentLoadedEventEnd,
                load: navigation.loadEventEnd,
                firstContentfulPaint: paint ? paint.startTime : null,
            };
        }
        """;

    /// <summary>
    /// Waits for the page's load event to end and for <paramref name="mark"/> (up to <paramref name="markWithin"/>,
    /// none by default: a test waits for what it shows first), then prints the timing (it is not asserted: the
    /// machines are noisy).
    /// </summary>
    public static async Task<FirstViewTiming> MeasureAsync(IPage page, ITestOutputHelper output, string mark = ReadyMark, TimeSpan? markWithin = null)
    {
        await page.WaitForFunctionAsync("() => performance.getEntriesByType('navigation')[0]?.loadEventEnd > 0");
        if (markWithin is { } within)
        {
            await page.WaitForFunctionAsync("mark => performance.getEntriesByName(mark, 'mark').length > 0", mark,
                new() { Timeout = (float)within.TotalMilliseconds });
        }

        var entries = await page.EvaluateAsync<JsonElement>(Script, mark);
        double? Entry(string name) => entries.GetProperty(name) is { ValueKind: JsonValueKind.Number } value ? value.GetDouble() : null;
        var load = Entry("load")!.Value;
        var timing = new FirstViewTiming(Entry("mark") is null ? "load" : mark, Entry("mark") ?? load,
            Entry("responseEnd")!.Value, Entry("domContentLoaded")!.Value, load, Entry("firstContentfulPaint"));
        output.WriteLine($"First view of {page.Url.Split('#')[0]}: {timing}");
        return timing;
    }
}
