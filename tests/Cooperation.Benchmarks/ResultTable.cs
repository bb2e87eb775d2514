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
    private const double AuditSlowdownGoal = 0.10;
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

    public void AddReports(ReportsBenchmark.Figures reports)
    {
        var data = reports.Data;
        rows.Add([
            "reports' data: one contract-quarter, bulk import, events/s",
            $"{data.EventsPerSecond:N0} ({data.Calls:N0} calls of {reports.ContractId}, +{data.OtherCalls:N0} of {data.OtherContracts} more contracts; " +
            $"{data.Events:N0} events, {data.Import.TotalSeconds:F1} s; then {data.Corrections:N0} corrections, {data.ReferralSteps:N0} referral steps)",
            string.Empty, string.Empty, string.Empty,
        ]);
        rows.Add([
            "report current after the data's last write",
            $"{reports.CurrentAfter.TotalSeconds:F1} s",
            string.Empty, string.Empty, string.Empty,
        ]);
        foreach (var (what, window) in new[] { ("JSON", reports.Json), ("CSV", reports.Csv) })
        {
            rows.Add([
                $"report {what} c={ReportsBenchmark.Concurrency}, req/s (p50/p95/p99 ms)",
                window.Reads.Figures,
                $"GET contract {reports.Contract.Reads.Figures}",
                Ratio(window.Reads.PerSecond / reports.Contract.Reads.PerSecond),
                string.Empty,
            ]);
        }

        var windows = new[] { reports.Json, reports.Csv, reports.Contract };
        rows.Add([
            $"live writes beside them c={ReportsBenchmark.LiveClients}, req/s (p99 ms; JSON/CSV/contract)",
            string.Join(" / ", windows.Select(w => $"{w.Writes.Rate} ({w.Writes.P99:F1})")),
            string.Empty, string.Empty, string.Empty,
        ]);
        rows.Add([
            "reports, non-2xx responses (JSON/CSV/contract)",
            string.Join(" / ", windows.Select(w => w.Reads.Failed)),
            "live writes: " + string.Join(" / ", windows.Select(w => w.Writes.Failed)),
            string.Empty,
            Goal("0", windows.All(w => w.Reads.Failed == 0 && w.Writes.Failed == 0)),
        ]);
        rows.Add([
            "report as of an instant, s (first/repeated)",
            $"{reports.AsOfFirst.TotalSeconds:F2} / {reports.AsOfRepeated.TotalSeconds:F2} (the same total as now: {(reports.AsOfAgrees ? "yes" : "NO")})",
            string.Empty, string.Empty, string.Empty,
        ]);
        var rebuild = reports.Rebuild;
        rows.Add([
            "reports rebuilt beside the running service, events/s",
            $"{rebuild.EventsPerSecond:N0} ({rebuild.Events:N0} events, {rebuild.Elapsed.TotalSeconds:F1} s; " +
            $"{rebuild.ReadsDuring:N0} reports read meanwhile, {rebuild.ReadsWrong:N0} not whole){(rebuild.Ok ? string.Empty : ", FAILED")}",
            $"read+parse {rebuild.ReadEventsPerSecond:N0} ({rebuild.Read.TotalSeconds:F1} s)",
            Ratio(rebuild.Ratio),
            string.Empty,
        ]);
        rows.Add([
            "peak working set during reports, MB",
            $"{reports.Memory.PeakMb:N0} (VmHWM{(reports.MemoryReset ? " since the phase began" : " of the whole life")}; largest VmRSS sampled {reports.Memory.SampledMaxRssMb:N0})",
            string.Empty, string.Empty, string.Empty,
        ]);
        foreach (var step in reports.Sizes)
        {
            rows.Add([
                $"at {step.Events / 1e6:F2}M events: import / rebuild, µs/event",
                (step.Ingested == 0 ? "— (stored before)" : $"{step.IngestMicrosecondsPerEvent:F1} ({step.Ingested:N0} events)") +
                $" / {step.Rebuild.MicrosecondsPerEvent:F1} ({step.Rebuild.Elapsed.TotalSeconds:F1} s)",
                $"read+parse {step.Rebuild.ReadMicrosecondsPerEvent:F2}",
                Ratio(step.Rebuild.Ratio),
                string.Empty,
            ]);
        }
    }

    /// <summary>Two decimals, or two significant digits for a ratio below 0.1 (a report is far slower than a contract).</summary>
    private static string Ratio(double ratio) => ratio.ToString(ratio >= 0.1 ? "F2" : "G2", System.Globalization.CultureInfo.InvariantCulture);

    public void AddAudit(AuditBenchmark.Figures audit)
    {
        rows.Add([
            "live c=8 with the audit chain, req/s (p99 ms)",
            $"{audit.LiveWith:N0} ({audit.P99With:F1})",
            $"without it {audit.LiveWithout:N0} ({audit.P99Without:F1})",
            $"{audit.LiveRatio:F2} (median of rounds)",
            Goal($"slower by ≤ {AuditSlowdownGoal:P0}", audit.LiveSlowdown <= AuditSlowdownGoal),
        ]);
        rows.Add([
            "bulk import with the audit chain, events/s",
            $"{audit.ImportWith:N0}",
            $"without it {audit.ImportWithout:N0}",
            $"{audit.ImportRatio:F2} (median of rounds)",
            string.Empty,
        ]);
        rows.Add([
            "audit verify, events/s",
            $"{audit.Events / audit.VerifySeconds:N0} ({audit.Events:N0} events, {audit.VerifySeconds:F1} s, {(audit.Intact ? "intact" : "NOT intact")})",
            $"COPY out {audit.Events / audit.ReadSeconds:N0} ({audit.ReadSeconds:F1} s)",
            $"{audit.ReadSeconds / audit.VerifySeconds:F2}",
            string.Empty,
        ]);
        rows.Add([
            "audit export (NDJSON), events/s",
            $"{audit.Events / audit.ExportSeconds:N0} ({audit.ExportBytes / 1e6:N0} MB, {audit.ExportSeconds:F1} s)",
            $"COPY out {audit.Events / audit.ReadSeconds:N0}",
            $"{audit.ReadSeconds / audit.ExportSeconds:F2}",
            string.Empty,
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
