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
        var (exitCode, output) = await ExecuteAsync(environment, workingDirectory, Timeout.InfiniteTimeSpan, arguments);
        return (exitCode!.Value, output);
    }

    /// <summary>
    /// Starts the service, which must refuse to start: returns what it printed, or kills it and fails
    /// the test when it still runs after <paramref name="within"/>.
    /// </summary>
    public static async Task<string> RefusedStartAsync(IReadOnlyDictionary<string, string> environment, TimeSpan within)
    {
        var (exitCode, output) = await ExecuteAsync(environment, null, within);
        Assert.True(exitCode is not (null or 0), $"The service started ({(exitCode is null ? $"still running after {within.TotalSeconds:N0} s" : "exit code 0")}): {output}");
        return output;
    }

    /// <summary>
    /// An empty value removes the variable, which the process would otherwise inherit from the tests'. The exit code is
    /// null when the process still ran after <paramref name="within"/> (then it is killed).
    /// </summary>
    private static async Task<(int? ExitCode, string Output)> ExecuteAsync(
        IReadOnlyDictionary<string, string> environment, string? workingDirectory, TimeSpan within, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var (name, value) in environment)
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cooperation.Api.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (null, await output + await error);
        }

        return (process.ExitCode, await output + await error);
    }
}
