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
    public static NodeMode From(IConfiguration configuration) => new(
        configuration["Cooperation:Nodes"] ?? "Solo",
        configuration.GetValue("Cooperation:NodeHealthCheck", TimeSpan.FromSeconds(10)),
        configuration.GetValue("Cooperation:NodeStaleAfter", TimeSpan.FromMinutes(1)));

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
