using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Browser;

/// <summary>axe-core's scan of a page (every rule axe runs by default: WCAG 2.x A and AA, and its best practices).</summary>
public static class Accessibility
{
    /// <summary>The impacts that fail a page; "moderate" and "minor" are listed only.</summary>
    public static readonly IReadOnlySet<string> Failing = new HashSet<string>(StringComparer.Ordinal) { "serious", "critical" };

    /// <summary>Scans the page as it is now, prints every violation, and fails the test on any serious or critical one.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, ITestOutputHelper? output = null)
    {
        var violations = await ViolationsAsync(page, output);
        var failing = violations.Where(v => Failing.Contains(v.Impact ?? string.Empty)).ToList();
        Assert.True(failing.Count == 0,
            $"{failing.Count} serious or critical accessibility violations on {page.Url.Split('#')[0]}:\n" + string.Join('\n', failing.Select(Describe)));
    }

    /// <summary>Scans the page as it is now and prints every violation (rule, impact, where), failing nothing.</summary>
    public static async Task<IReadOnlyList<AxeResultItem>> ViolationsAsync(IPage page, ITestOutputHelper? output = null)
    {
        var result = await page.RunAxe();
        output?.WriteLine($"axe-core {result.TestEngine?.Version}: {result.Violations.Length} rules violated on {page.Url.Split('#')[0]}");
        foreach (var violation in result.Violations)
        {
            output?.WriteLine("  " + Describe(violation));
        }

        return result.Violations;
    }

    /// <summary>"image-alt (critical): Images must have alternative text — img#logo, main > img".</summary>
    public static string Describe(AxeResultItem violation) =>
        $"{violation.Id} ({violation.Impact}): {violation.Help} — "
        + string.Join(", ", violation.Nodes.Take(10).Select(n => n.Target?.ToString()))
        + (violation.Nodes.Length > 10 ? $" and {violation.Nodes.Length - 10} more" : string.Empty);
}
