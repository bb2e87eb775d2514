using System.Diagnostics;
using System.Globalization;

namespace Cooperation.Benchmarks;

/// <summary>
/// Where the cores went while something ran: the service process's share and the whole machine's (PostgreSQL and
/// this benchmark make up most of the rest). On two cores, a service near two busy cores is CPU-bound.
/// </summary>
public sealed class CpuUse
{
    private readonly Process service;
    private readonly TimeSpan serviceCpu;
    private readonly (long Busy, long Total) machine;
    private readonly long started = Stopwatch.GetTimestamp();

    private CpuUse(Process service)
    {
        this.service = service;
        service.Refresh();
        serviceCpu = service.TotalProcessorTime;
        machine = MachineTicks();
    }

    public static CpuUse Start(Process service) => new(service);

    /// <summary>Cores busy since the start: the service's, and the machine's of all it has.</summary>
    public string Summary()
    {
        service.Refresh();
        var serviceCores = (service.TotalProcessorTime - serviceCpu) / Stopwatch.GetElapsedTime(started);
        var (busy, total) = MachineTicks();
        var machineCores = (double)(busy - machine.Busy) / Math.Max(1, total - machine.Total) * Environment.ProcessorCount;
        return $"cores busy: service {serviceCores:F2}, machine {machineCores:F2} of {Environment.ProcessorCount}";
    }

    /// <summary>The first line of /proc/stat: time spent per state by all cores, in clock ticks; idle and iowait are not busy.</summary>
    private static (long Busy, long Total) MachineTicks()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var total = ticks.Take(8).Sum(); // guest time is counted in user time already
        return (total - ticks[3] - ticks[4], total);
    }
}
