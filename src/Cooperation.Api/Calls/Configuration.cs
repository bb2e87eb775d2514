using Cooperation.Api.Infrastructure;
using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Calls;

public static class CallsConfiguration
{
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddSingleton<CallerPseudonym>();
        services.AddSingleton<CallRecordRules>();
        services.AddSingleton<CallImport>();
        services.AddSingleton<CallWrites>();
        services.AddHostedService<CallerKeyCheck>();
        services.AddSingleton<CallerErasure>();
        return services;
    }

    /// <summary>Calls are aggregated live from their few events; no snapshot is written per call.</summary>
    public static void AddCalls(this StoreOptions options)
    {
        options.AddStream<Call>(ProjectionLifecycle.Live);
        CallerErasure.AddMaskingRules(options);
        options.Events.AddEventType<CallerDataErased>();
    }
}
