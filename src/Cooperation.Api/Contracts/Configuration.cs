using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Contracts;

public static class ContractsConfiguration
{
    public static void AddContracts(this StoreOptions options)
    {
        // Inline snapshot: the current state is stored with each change, for reads and lists;
        // time travel aggregates the stream live.
        options.Projections.Snapshot<Contract>(SnapshotLifecycle.Inline);
        options.Schema.For<Contract>().Index(c => c.Provider.Id).Index(c => c.Client.Id);
        options.Events.AddEventType<ContractSigned>();
        options.Events.AddEventType<ServiceLineAdded>();
        options.Events.AddEventType<ServiceLineRemoved>();
        options.Events.AddEventType<FeeAmended>();
        options.Events.AddEventType<KpiSettingsChanged>();
        options.Events.AddEventType<ContractTerminated>();
        options.Events.AddEventType<QuarterClosed>();
        options.Events.AddEventType<QuarterReopened>();
    }
}
