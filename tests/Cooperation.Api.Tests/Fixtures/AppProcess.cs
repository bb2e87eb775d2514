using System.Diagnostics;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>The built service's command line, run as a process of its own, as an operator would run it.</summary>
public static class AppProcess
{
    /// <summary>Runs <c>dotnet Cooperation.Api.dll …</c>, fails the test unless it exits 0, and returns what it printed.</summary>
    public static async Task<string> RunAsync(IReadOnlyDictionary<string, string> environment, string? workingDirectory, params string[] arguments)
    {
        var (exitCode, output) = await RunForExitCodeAsync(environment, workingDirectory, arguments);
        Assert.True(exitCode == 0, $"'{string.Join(' ', arguments)}' failed: {output}");
        return output;
    }

    /// <summary>Runs the command and returns its exit code with what it printed (standard output, then standard error).</summary>
    public static async Task<(int ExitCode, string Output)> RunForExitCodeAsync(
        IReadOnlyDictionary<string, string> environment, string? workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cooperation.Api.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + error);
    }
}
