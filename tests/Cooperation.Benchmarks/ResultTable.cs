namespace Cooperation.Benchmarks;

/// <summary>
/// The one table a run ends with: each figure of the service beside its baseline, their ratio (the service's
/// throughput as a fraction of the baseline's: the machine is noisy, the ratio less so) and the goal it is held to.
/// </summary>
public sealed class ResultTable
{
    private const double ImportGoal = 0.25;
    private const double LiveGoal = 0.5;
    private const double LiveP99GoalMs = 50;
    private const double MemoryGoalMb = 500;
    private static readonly string[] Header = ["measure", "service", "baseline", "ratio", "goal"];
    private readonly List<string[]> rows = [];

    public void AddImport(ImportBenchmark.Figures import)
    {
        var ratio = import.EventsPerSecond / import.CopyEventsPerSecond;
        rows.Add([
            "bulk import, events/s",
            $"{import.EventsPerSecond:N0} ({import.Lines:N0} lines, {import.Events:N0} events, {import.First.TotalSeconds:F1} s)",
            $"COPY {import.CopyEventsPerSecond:N0} ({import.Copy.TotalSeconds:F1} s)",
            $"{ratio:F2}",
            Goal($"≥ {ImportGoal:F2}", ratio >= ImportGoal),
        ]);
        rows.Add([
            "bulk import repeated (all duplicates), events/s",
            $"{import.RepeatEventsPerSecond:N0} ({import.Repeat.TotalSeconds:F1} s)",
            $"COPY {import.CopyEventsPerSecond:N0}",
            $"{import.RepeatEventsPerSecond / import.CopyEventsPerSecond:F2}",
            string.Empty,
        ]);
        rows.Add([
            "reports' projection after the import",
            $"current {import.ReportsCurrentAfter.TotalSeconds:F1} s after its answer, at most {import.MostBehind:N0} events behind",
            string.Empty, string.Empty, string.Empty,
        ]);
    }

    public void AddLive(IReadOnlyList<LiveBenchmark.Level> levels)
    {
        foreach (var level in levels)
        {
            var last = level == levels[^1];
            rows.Add([
                $"live c={level.Service.Concurrency}, req/s (p50/p95/p99 ms)",
                level.Service.Figures,
                $"INSERT+commit {level.Baseline.Figures}",
                $"{level.Ratio:F2}",
                last ? Goal($"≥ {LiveGoal:F1}, p99 ≤ {LiveP99GoalMs:N0} ms", level.Ratio >= LiveGoal && level.Service.P99 <= LiveP99GoalMs) : string.Empty,
            ]);
        }

        rows.Add([
            "live, non-2xx responses (c=" + string.Join("/", levels.Select(l => l.Service.Concurrency)) + ")",
            string.Join(" / ", levels.Select(l => l.Service.Failed)),
            "failed: " + string.Join(" / ", levels.Select(l => l.Baseline.Failed)),
            string.Empty,
            Goal("0", levels.All(l => l.Service.Failed == 0)),
        ]);
    }

    public void AddMemory(MemoryFigures memory) => rows.Add([
        "peak working set, MB",
        $"{memory.PeakMb:N0} (VmHWM; largest VmRSS sampled {memory.SampledMaxRssMb:N0}, at the end {memory.RssMb:N0})",
        string.Empty,
        string.Empty,
        Goal($"≤ {MemoryGoalMb:N0}", memory.PeakMb <= MemoryGoalMb),
    ]);

    public void Print()
    {
        var widths = Header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |";
        Console.WriteLine(Line(Header));
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var row in rows)
        {
            Console.WriteLine(Line(row));
        }
    }

    private static string Goal(string goal, bool met) => $"{goal}: {(met ? "met" : "missed")}";
}
