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
    private readonly Process process;
    private readonly OutputLog log;
    private readonly HttpClient health;
    private readonly CancellationTokenSource sampling = new();
    private readonly Task sampler;
    private long sampledMaxRssKb;

    private ServiceProcess(Process process, OutputLog log, Uri baseAddress)
    {
        this.process = process;
        this.log = log;
        BaseAddress = baseAddress;
        health = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
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

        var port = FreePort();
        var log = new OutputLog(Path.Combine(Path.GetTempPath(), $"{schema}.service.log"));
        using (var setup = Start(dll, connectionString, schema, port, log, "resources", "setup"))
        {
            await setup.WaitForExitAsync();
            if (setup.ExitCode != 0)
            {
                log.Dispose();
                throw new InvalidOperationException($"'resources setup' exited with {setup.ExitCode}: see {log.Path}");
            }
        }

        var service = new ServiceProcess(Start(dll, connectionString, schema, port, log), log, new Uri($"http://127.0.0.1:{port}"));
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

    private static Process Start(string dll, string connectionString, string schema, int port, OutputLog log, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        // The token settings (Tokens.ConfigureHost) come with this process's environment.
        start.Environment[LocalDatabase.EnvironmentVariable] = connectionString;
        start.Environment["Cooperation__Schema"] = schema;
        start.Environment["Cooperation__CallerHashKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => log.Add(e.Data);
        process.ErrorDataReceived += (_, e) => log.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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

    /// <summary>The resident set now, its high-water mark (the kernel's VmHWM) and the largest resident set sampled.</summary>
    public MemoryFigures Memory()
    {
        var (rss, hwm) = ReadStatus();
        return new MemoryFigures(rss / 1024.0, hwm / 1024.0, Math.Max(Interlocked.Read(ref sampledMaxRssKb), rss) / 1024.0);
    }

    private (long RssKb, long HwmKb) ReadStatus()
    {
        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
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

    private async Task SampleMemoryAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(SampleEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ct) && !process.HasExited)
            {
                var rss = ReadStatus().RssKb;
                if (rss > Interlocked.Read(ref sampledMaxRssKb))
                {
                    Interlocked.Exchange(ref sampledMaxRssKb, rss);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopped with the service
        }
        catch (IOException)
        {
            // the process ended between the check and the read
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

/// <summary>The service's memory in MB.</summary>
public sealed record MemoryFigures(double RssMb, double PeakMb, double SampledMaxRssMb)
{
    public override string ToString() => $"VmRSS {RssMb:N0} MB, VmHWM {PeakMb:N0} MB, largest VmRSS sampled every 250 ms {SampledMaxRssMb:N0} MB";
}
