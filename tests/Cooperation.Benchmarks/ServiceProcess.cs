using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Cooperation.LocalPostgres;

namespace Cooperation.Benchmarks;

/// <summary>
/// The built service as an operator runs it: <c>dotnet Cooperation.Api.dll</c> in Production (pre-generated handlers,
/// its schema applied first with <c>resources setup</c>) on a free port, so that its memory and CPU are its own and
/// the load comes over real sockets.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StopWithin = TimeSpan.FromSeconds(30);
    private readonly Launch launch;
    private readonly OutputLog log;
    private readonly HttpClient health;
    private readonly CancellationTokenSource sampling = new();
    private readonly Task sampler;
    private Process process; // a new one after each restart
    private long sampledMaxRssKb;
    private long earlierPeakKb; // the VmHWM of processes stopped since, and before the kernel's was reset
    private long phaseSampledMaxRssKb;
    private long phaseEarlierPeakKb;

    private ServiceProcess(Launch launch, Process process, OutputLog log)
    {
        this.launch = launch;
        this.process = process;
        this.log = log;
        BaseAddress = new Uri($"http://127.0.0.1:{launch.Port}");
        health = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        sampler = SampleMemoryAsync(sampling.Token);
    }

    public Uri BaseAddress { get; }

    /// <summary>Keep the service's log after it ends; without, it is removed unless it holds errors.</summary>
    public bool KeepLog { get; set; }

    public string LogSummary => $"service log {log.Path}: {log.Warnings} warnings, {log.Errors} errors or worse" +
        (KeepLog || log.Errors > 0 ? string.Empty : " (removed at the end: nothing in it went wrong)");

    /// <summary>Applies the schema, starts the service and waits until <c>GET /health</c> answers 200.</summary>
    public static async Task<ServiceProcess> StartAsync(string connectionString, string schema)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Cooperation.Api.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The service is not built beside the benchmark (its project reference copies it here).", dll);
        }

        var launch = new Launch(dll, connectionString, schema, FreePort(), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var log = new OutputLog(Path.Combine(Path.GetTempPath(), $"{schema}.service.log"));
        using (var setup = launch.Start(log, null, "resources", "setup"))
        {
            await setup.WaitForExitAsync();
            if (setup.ExitCode != 0)
            {
                log.Dispose();
                throw new InvalidOperationException($"'resources setup' exited with {setup.ExitCode}: see {log.Path}");
            }
        }

        var service = new ServiceProcess(launch, launch.Start(log, null), log);
        try
        {
            await service.WaitUntilHealthyAsync(TimeSpan.FromMinutes(1));
            return service;
        }
        catch
        {
            service.KeepLog = true; // the exception points to it
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Stops the service (SIGTERM, as an operator's <c>systemctl stop</c>; killed when it has not ended within 30 s),
    /// runs a command of the app with the same settings (<c>dotnet Cooperation.Api.dll …</c>), and starts the service
    /// again on the same port. The command's output goes to the service's log and, line by line, to <paramref name="output"/>;
    /// <paramref name="progress"/> is called every five seconds while it runs.
    /// </summary>
    /// <summary>Runs a command of the app beside the running service.</summary>
    public Task<CommandRun> RunBesideAsync(IReadOnlyList<string> command, Action<string> output, Func<Task> progress) =>
        RunAsync(command, output, progress, stop: false);

    public Task<CommandRun> RunStoppedAsync(IReadOnlyList<string> command, Action<string> output, Func<Task> progress) =>
        RunAsync(command, output, progress, stop: true);

    private async Task<CommandRun> RunAsync(IReadOnlyList<string> command, Action<string> output, Func<Task> progress, bool stop)
    {
        if (stop)
        {
            await StopAsync();
        }

        var watch = Stopwatch.StartNew();
        long peakKb = 0;
        int exitCode;
        using (var run = launch.Start(log, output, [.. command]))
        {
            var exited = run.WaitForExitAsync();
            using var tick = new PeriodicTimer(SampleEvery);
            var ticks = 0;
            while (await Task.WhenAny(exited, tick.WaitForNextTickAsync().AsTask()) != exited)
            {
                try
                {
                    peakKb = Math.Max(peakKb, ReadStatus(run.Id).HwmKb); // gone once it has ended: sampled while it runs
                }
                catch (IOException)
                {
                    // it ended between the tick and the read
                }

                if (++ticks % 20 == 0)
                {
                    await progress();
                }
            }

            exitCode = run.ExitCode;
        }

        var elapsed = watch.Elapsed;
        if (stop)
        {
            process = launch.Start(log, null);
            await WaitUntilHealthyAsync(TimeSpan.FromMinutes(1));
        }

        return new CommandRun(exitCode, elapsed, peakKb / 1024.0);
    }

    private async Task StopAsync()
    {
        var peak = ReadStatus(process.Id).HwmKb;
        InterlockedMax(ref earlierPeakKb, peak);
        InterlockedMax(ref phaseEarlierPeakKb, peak);
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var within = new CancellationTokenSource(StopWithin);
        try
        {
            await process.WaitForExitAsync(within.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"  the service did not stop within {StopWithin.TotalSeconds:N0} s of SIGTERM: killed");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private async Task WaitUntilHealthyAsync(TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < within)
        {
            try
            {
                using var response = await health.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {process.ExitCode} while starting: see {log.Path}");
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The service did not answer /health within {within.TotalSeconds:N0} s: see {log.Path}");
    }

    /// <summary>How many stored events the reports' projection has not applied yet, as <c>/health</c> says.</summary>
    public async Task<long> EventsBehindAsync()
    {
        // Not only a 200: a degraded or unhealthy answer carries the figures too.
        using var response = await health.GetAsync("/health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (long)body["checks"]!["reports"]!["data"]!["eventsBehind"]!;
    }

    /// <summary>Waits until the reports' projection is current, so that its catching up does not weigh on what runs next.</summary>
    public async Task<TimeSpan> WaitForReportsAsync()
    {
        var waited = Stopwatch.StartNew();
        while (await EventsBehindAsync() > 0)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException("The reports' projection did not catch up within 30 minutes.");
            }

            await Task.Delay(100);
        }

        return waited.Elapsed;
    }

    /// <summary>Starts counting the cores the service and the machine keep busy.</summary>
    public CpuUse MeasureCpu() => CpuUse.Start(process);

    /// <summary>
    /// The resident set now, its high-water mark over the service's whole life (the kernel's VmHWM, the largest of
    /// each process it ran as) and the largest resident set sampled.
    /// </summary>
    public MemoryFigures Memory()
    {
        var (rss, hwm) = ReadStatus(process.Id);
        return new MemoryFigures(rss / 1024.0, Math.Max(hwm, Interlocked.Read(ref earlierPeakKb)) / 1024.0,
            Math.Max(Interlocked.Read(ref sampledMaxRssKb), rss) / 1024.0);
    }

    /// <summary>
    /// Starts a phase's memory figures afresh: resets the kernel's VmHWM (<c>/proc/&lt;pid&gt;/clear_refs</c>), keeping
    /// the whole life's peak for <see cref="Memory"/>. False when the kernel refused: the phase's peak is then the whole life's.
    /// </summary>
    public bool ResetPhaseMemory()
    {
        var (rss, hwm) = ReadStatus(process.Id);
        InterlockedMax(ref earlierPeakKb, hwm);
        Interlocked.Exchange(ref phaseEarlierPeakKb, 0);
        Interlocked.Exchange(ref phaseSampledMaxRssKb, rss);
        try
        {
            File.WriteAllText($"/proc/{process.Id}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The figures of <see cref="Memory"/> since <see cref="ResetPhaseMemory"/>.</summary>
    public MemoryFigures PhaseMemory()
    {
        var (rss, hwm) = ReadStatus(process.Id);
        return new MemoryFigures(rss / 1024.0, Math.Max(hwm, Interlocked.Read(ref phaseEarlierPeakKb)) / 1024.0,
            Math.Max(Interlocked.Read(ref phaseSampledMaxRssKb), rss) / 1024.0);
    }

    private static (long RssKb, long HwmKb) ReadStatus(int pid)
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        return (rss, hwm);
    }

    private static long Kilobytes(string statusLine) =>
        long.Parse(statusLine.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private async Task SampleMemoryAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(SampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    var rss = ReadStatus(process.Id).RssKb;
                    InterlockedMax(ref sampledMaxRssKb, rss);
                    InterlockedMax(ref phaseSampledMaxRssKb, rss);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException)
                {
                    // stopped for a command, or ended
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped with the service
        }
    }

    public async ValueTask DisposeAsync()
    {
        await sampling.CancelAsync();
        await sampler;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        // Also waits for the last of its output, so that nothing is written to the log after it is closed.
        await process.WaitForExitAsync();
        process.Dispose();
        health.Dispose();
        sampling.Dispose();
        log.Dispose();
        if (!KeepLog && log.Errors == 0)
        {
            File.Delete(log.Path);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>How the app is started, the same for the service, its schema's setup and a command: one key for callers' numbers throughout.</summary>
    private sealed record Launch(string Dll, string ConnectionString, string Schema, int Port, string CallerHashKey)
    {
        public Process Start(OutputLog log, Action<string>? output, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetDirectoryName(Dll)!,
            };
            // The token settings (Tokens.ConfigureHost) come with this process's environment.
            start.Environment[LocalDatabase.EnvironmentVariable] = ConnectionString;
            start.Environment["Cooperation__Schema"] = Schema;
            start.Environment["Cooperation__CallerHashKey"] = CallerHashKey;
            // The generated calls lie years back: the daily retention would mask them while they are measured.
            start.Environment["Cooperation__DailyRetention"] = "false";
            // One subject sends ~1,600 requests a second here, far beyond the production limits: limited, as in production
            // (the limiter's cost is measured), but never refused.
            start.Environment["Cooperation__RateLimits__PerClient__Burst"] = "1000000";
            start.Environment["Cooperation__RateLimits__PerClient__PerSecond"] = "1000000";
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}";
            start.Environment["Logging__LogLevel__Default"] = "Warning";
            start.ArgumentList.Add(Dll);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            void Line(string? line)
            {
                log.Add(line);
                if (line is not null)
                {
                    output?.Invoke(line);
                }
            }

            process.OutputDataReceived += (_, e) => Line(e.Data);
            process.ErrorDataReceived += (_, e) => Line(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
    }

    /// <summary>Everything the service prints goes to a file; its warnings and errors show on the console too, the lines of detail below each only in the file.</summary>
    private sealed class OutputLog(string path) : IDisposable
    {
        private readonly StreamWriter writer = new(path) { AutoFlush = true };
        private int warnings;
        private int errors;

        public string Path => path;

        public int Warnings => Volatile.Read(ref warnings);

        public int Errors => Volatile.Read(ref errors);

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (writer)
            {
                writer.WriteLine(line);
            }

            var level = line.Length >= 5 ? line[..5] : string.Empty;
            if (level is "warn:" or "fail:" or "crit:")
            {
                Interlocked.Increment(ref level == "warn:" ? ref warnings : ref errors);
                Console.WriteLine($"  [service] {line}");
            }
        }

        public void Dispose() => writer.Dispose();
    }
}

/// <summary>What a command of the app took: its exit code, its time from start to end, its VmHWM (sampled every 250 ms) in MB.</summary>
public sealed record CommandRun(int ExitCode, TimeSpan Elapsed, double PeakMb);

/// <summary>The service's memory in MB.</summary>
public sealed record MemoryFigures(double RssMb, double PeakMb, double SampledMaxRssMb)
{
    public override string ToString() => $"VmRSS {RssMb:N0} MB, VmHWM {PeakMb:N0} MB, largest VmRSS sampled every 250 ms {SampledMaxRssMb:N0} MB";
}
