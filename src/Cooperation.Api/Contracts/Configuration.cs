using Cooperation.Api.Infrastructure;
using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Contracts;

public static class ContractsConfiguration
{
    public static void AddContracts(this StoreOptions options)
    {
        // Inline: the current state is stored with each change, for reads and lists; time travel folds the
        // stream live. Both through Contract.When.
        options.AddStream<Contract>(ProjectionLifecycle.Inline);
        options.Schema.For<Contract>().Index(c => c.Provider.Id).Index(c => c.Client.Id);
    }
}
