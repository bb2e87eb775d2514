using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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

    /// <summary>The exit code is null when the process still ran after <paramref name="within"/> (then it is killed).</summary>
    private static async Task<(int? ExitCode, string Output)> ExecuteAsync(
        IReadOnlyDictionary<string, string> environment, string? workingDirectory, TimeSpan within, params string[] arguments)
    {
        using var process = Process.Start(Command(environment, workingDirectory, arguments))!;
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

    /// <summary>
    /// Starts the service (no command) and waits until it answers <c>GET /health</c> on <paramref name="http"/>'s address:
    /// the caller kills it. Fails the test when it exits while starting.
    /// </summary>
    /// <param name="workingDirectory">Its content root (where <c>wwwroot</c> is); the tests' own directory when null.</param>
    /// <param name="log">Receives every line it prints, also after the start.</param>
    public static async Task<Process> StartServiceAsync(
        IReadOnlyDictionary<string, string> environment, HttpClient http, string? workingDirectory = null, Action<string>? log = null)
    {
        var process = Process.Start(Command(environment, workingDirectory, []))!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>(); // until it answers: for the failure's message
        var starting = true;
        void Keep(string? line)
        {
            if (line is not null)
            {
                log?.Invoke(line);
            }

            if (starting)
            {
                output.Enqueue(line ?? string.Empty);
            }
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            try
            {
                if ((await http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    starting = false;
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.False(process.HasExited, $"The service exited while starting: {string.Join('\n', output)}");
            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The service did not answer /health within a minute.");
    }

    /// <summary>Waits until the service at <paramref name="http"/>'s address says on <c>/health</c> that its reports have every event.</summary>
    public static async Task ReportsCurrentAsync(HttpClient http, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var health = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/health"))!;
            if ((long?)health["checks"]?["reports"]?["data"]?["eventsBehind"] == 0)
            {
                return;
            }

            if (waited.Elapsed > within)
            {
                throw new TimeoutException($"The reports did not catch up within {within.TotalMinutes:N0} minutes: {health.ToJsonString()}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>A port nothing listens on now, for a service of a test.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary><c>dotnet Cooperation.Api.dll …</c>; an empty value in <paramref name="environment"/> removes the variable.</summary>
    private static ProcessStartInfo Command(IReadOnlyDictionary<string, string> environment, string? workingDirectory, string[] arguments)
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
                start.Environment.Remove(name); // inherited from the tests' process otherwise
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

        return start;
    }
}
