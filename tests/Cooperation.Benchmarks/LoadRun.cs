using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Cooperation.Benchmarks;

/// <summary>
/// A closed loop of N virtual clients, each doing one operation after the other as fast as answers come: a warm-up
/// first, then a fixed time in which every operation started is counted with its latency. Throughput is counted
/// until the last started operation has ended, so none is cut off and none is counted twice.
/// </summary>
public static class LoadRun
{
    private const int FailuresKept = 5;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Runs each client's operation (made once per client by <paramref name="clientFor"/>; it answers null when it
    /// succeeded, else what went wrong) and prints a progress line under <paramref name="label"/> every few seconds.
    /// </summary>
    public static async Task<LoadResult> RunAsync(
        string label, int concurrency, TimeSpan warmUp, TimeSpan duration, Func<int, Func<Task<string?>>> clientFor)
    {
        var started = Stopwatch.GetTimestamp();
        var measuredFrom = started + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        var measuredUntil = measuredFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var failures = new ConcurrentQueue<string>();
        var failed = 0;
        long done = 0;

        var clients = Enumerable.Range(0, concurrency).Select(c => Task.Run(async () =>
        {
            var operation = clientFor(c);
            var latencies = new List<long>();
            long ended = 0;
            for (var start = Stopwatch.GetTimestamp(); start < measuredUntil; start = Stopwatch.GetTimestamp())
            {
                var failure = await operation();
                ended = Stopwatch.GetTimestamp();
                if (start < measuredFrom)
                {
                    continue;
                }

                latencies.Add(ended - start);
                Interlocked.Increment(ref done);
                if (failure is not null && Interlocked.Increment(ref failed) <= FailuresKept)
                {
                    failures.Enqueue(failure);
                }
            }

            return (latencies, ended);
        })).ToList();

        using (var progress = new PeriodicTimer(ProgressEvery))
        {
            var finished = Task.WhenAll(clients);
            while (await Task.WhenAny(finished, progress.WaitForNextTickAsync().AsTask()) != finished)
            {
                Console.WriteLine($"  {label}: {Interlocked.Read(ref done):N0} done, {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s (warm-up {warmUp.TotalSeconds:F0} s)");
            }
        }

        var results = await Task.WhenAll(clients);
        var all = results.SelectMany(r => r.latencies).Order().ToArray();
        var elapsed = Stopwatch.GetElapsedTime(measuredFrom, results.Max(r => r.ended));
        return new LoadResult(concurrency, all.Length, failed, [.. failures], elapsed,
            Percentile(all, 0.50), Percentile(all, 0.95), Percentile(all, 0.99));
    }

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Ceiling(p * sorted.Length) - 1] * 1000.0 / Stopwatch.Frequency;
}

/// <summary>What a level measured: operations, failures (the first few described), and latencies in milliseconds.</summary>
public sealed record LoadResult(
    int Concurrency, long Operations, int Failed, IReadOnlyList<string> FirstFailures, TimeSpan Elapsed, double P50, double P95, double P99)
{
    public double PerSecond => Operations / Elapsed.TotalSeconds;

    /// <summary>Operations per second, with one decimal below 10.</summary>
    public string Rate => PerSecond.ToString(PerSecond < 10 ? "N1" : "N0", CultureInfo.InvariantCulture);

    /// <summary>The rate and p50/p95/p99.</summary>
    public string Figures => $"{Rate} ({P50:F1}/{P95:F1}/{P99:F1})";
}
