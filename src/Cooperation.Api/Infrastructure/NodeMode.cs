using JasperFx.Events.Daemon;
using Marten;
using Wolverine;
using Wolverine.Marten;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// How many service nodes share the database (ADR 25). <c>Cooperation:Nodes</c>:
/// <c>Solo</c> (default; demo, tests, one node), <c>Balanced</c> (Wolverine-managed distribution of the async
/// projections across the nodes, Wolverine durability Balanced), <c>HotCold</c> (Marten's own daemon leadership lock).
/// </summary>
public sealed record NodeMode(string Mode, TimeSpan HealthCheck, TimeSpan StaleNode)
{
    private static readonly string[] Modes = ["Solo", "Balanced", "HotCold"];

    public static NodeMode From(IConfiguration configuration)
    {
        var mode = configuration["Cooperation:Nodes"] ?? "Solo";
        mode = Modes.FirstOrDefault(m => m.Equals(mode, StringComparison.OrdinalIgnoreCase)) ?? mode;
        var healthCheck = configuration.GetValue("Cooperation:NodeHealthCheck", TimeSpan.FromSeconds(10));
        var staleAfter = configuration.GetValue("Cooperation:NodeStaleAfter", TimeSpan.FromMinutes(1));
        // A node is stale after missing a few heartbeats, not one: else a slow tick moves its projections for nothing.
        // And at most an hour: "15" reads as 15 days, and a node lost would keep its projections that long.
        if (healthCheck <= TimeSpan.Zero || staleAfter < 3 * healthCheck || staleAfter > TimeSpan.FromHours(1))
        {
            throw new InvalidOperationException(
                $"Cooperation:NodeStaleAfter ({staleAfter}) must be at least three times Cooperation:NodeHealthCheck ({healthCheck}), which must be positive, and at most an hour (00:15:00 is fifteen minutes; 15 alone is fifteen days).");
        }

        return new(mode, healthCheck, staleAfter);
    }

    public void ConfigureMarten(MartenServiceCollectionExtensions.MartenConfigurationExpression marten)
    {
        switch (Mode)
        {
            case "Solo":
                marten.AddAsyncDaemon(DaemonMode.Solo).IntegrateWithWolverine();
                break;
            case "HotCold":
                marten.AddAsyncDaemon(DaemonMode.HotCold).IntegrateWithWolverine();
                break;
            case "Balanced":
                // No AddAsyncDaemon: Wolverine runs the shards as agents (combining both refuses to start, GH-3388).
                marten.IntegrateWithWolverine(m => m.UseWolverineManagedEventSubscriptionDistribution = true);
                break;
            default:
                throw new InvalidOperationException($"Cooperation:Nodes must be Solo, Balanced or HotCold, not '{Mode}'.");
        }
    }

    public void ConfigureWolverine(DurabilitySettings durability)
    {
        durability.Mode = Mode == "Solo" ? DurabilityMode.Solo : DurabilityMode.Balanced;
        durability.HealthCheckPollingTime = HealthCheck;
        durability.StaleNodeTimeout = StaleNode;
    }
}
