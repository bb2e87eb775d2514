using System.Diagnostics;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>The programs the tests run beside the service: the XRechnung rules' Java, Spectral's Node.js, apt.</summary>
public static class Tools
{
    /// <summary>The checkout's root, where <c>Cooperation.sln</c> is.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cooperation.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cooperation.sln not found above the tests.");
    }

    public static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    private static readonly SemaphoreSlim Apt = new(1, 1);

    /// <summary>Installs Debian packages, one apt at a time (test classes run in parallel, and apt holds a lock).</summary>
    /// <param name="recommends">Whether apt also installs the packages they recommend (its default).</param>
    public static async Task AptInstallAsync(string[] packages, Action<string> log, bool recommends = true)
    {
        await Apt.WaitAsync();
        try
        {
            await RunAsync("apt-get", ["update", "-q"], log);
            await RunAsync("apt-get", ["install", "-y", "-q", .. recommends ? [] : new[] { "--no-install-recommends" }, .. packages], log);
        }
        finally
        {
            Apt.Release();
        }
    }

    /// <summary>Runs a program to its end (at most 10 minutes); <paramref name="log"/> (when given) sees each output line as it comes.</summary>
    public static async Task<string> RunAsync(
        string program, string[] arguments, Action<string>? log, string? directory = null, params int[] succeeding)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (directory is not null)
        {
            start.WorkingDirectory = directory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = new Process { StartInfo = start };
        var output = new System.Text.StringBuilder();
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            log?.Invoke("  " + line);
        }

        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not end within 10 minutes: {output}");
        }

        if (process.ExitCode != 0 && !succeeding.Contains(process.ExitCode))
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {output}");
        }

        return output.ToString();
    }
}
