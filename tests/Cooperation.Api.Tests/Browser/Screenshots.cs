using System.Text.RegularExpressions;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Playwright;

namespace Cooperation.Api.Tests.Browser;

/// <summary>
/// Screenshots of the main views. The README's copies in <c>docs/screenshots</c> are written only when
/// <c>COOPERATION_SCREENSHOTS=docs</c> is set, so that a test run leaves the checkout as it was; otherwise they go to
/// <c>TestResults/screenshots</c>, which git ignores.
/// </summary>
public static partial class Screenshots
{
    public static string Folder => Environment.GetEnvironmentVariable("COOPERATION_SCREENSHOTS") == "docs"
        ? Path.Combine(Tools.RepositoryRoot(), "docs", "screenshots")
        : Path.Combine(Tools.RepositoryRoot(), "TestResults", "screenshots");

    /// <summary>Saves the whole page as <c>{name}.png</c> in <see cref="Folder"/> and returns its path.</summary>
    /// <param name="name">Lower-case letters, digits and dashes, e.g. <c>dashboard-de</c>.</param>
    public static Task<string> SaveAsync(IPage page, string name)
    {
        Assert.Matches(Name(), name);
        return SaveToAsync(page, Path.Combine(Folder, name + ".png"));
    }

    /// <summary>Saves the whole page as a PNG at <paramref name="path"/>, without animations or a caret, and returns the path.</summary>
    public static async Task<string> SaveToAsync(IPage page, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled, Caret = ScreenshotCaret.Hide });
        return path;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Name();
}
