using System.Text.RegularExpressions;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Playwright;

namespace Cooperation.Api.Tests.Browser;

/// <summary>Screenshots of the main views for the README, in <c>docs/screenshots/{name}.png</c> of the checkout.</summary>
public static partial class Screenshots
{
    public static string Folder => Path.Combine(Tools.RepositoryRoot(), "docs", "screenshots");

    /// <summary>Saves the whole page as <c>docs/screenshots/{name}.png</c> and returns its path.</summary>
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
