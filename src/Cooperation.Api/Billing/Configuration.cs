using Cooperation.Api.Infrastructure;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;

namespace Cooperation.Api.Billing;

public static class BillingConfiguration
{
    public static IServiceCollection AddBilling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(new BillingLock(configuration.GetValue("Cooperation:BillingLockTimeout", BillingLock.DefaultTimeout)));
        services.AddSingleton<BillingWrites>();
        return services;
    }

    /// <summary>
    /// Documents aggregated inline: a quarter's documents and the next number are read from them, inside the
    /// provider's billing lock. The unique index makes a duplicate number impossible even past the lock.
    /// </summary>
    public static void AddBilling(this StoreOptions options)
    {
        options.AddStream<Invoice>(ProjectionLifecycle.Inline);
        options.Schema.For<Invoice>()
            .Index(i => i.ContractId)
            .Index(i => i.ProviderId)
            .UniqueIndex(UniqueIndexType.Computed, "invoice_number_per_provider", i => i.ProviderId, i => i.Number);
    }
}
