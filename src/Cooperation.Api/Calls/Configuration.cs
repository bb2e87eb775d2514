using Marten;

namespace Cooperation.Api.Calls;

public static class CallsConfiguration
{
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddSingleton<CallerPseudonym>();
        services.AddSingleton<CallRecordRules>();
        services.AddSingleton<CallImport>();
        services.AddHostedService<CallerKeyCheck>();
        return services;
    }

    /// <summary>Calls are aggregated live from their few events; no snapshot is written per call.</summary>
    public static void AddCalls(this StoreOptions options)
    {
        options.Events.AddEventType<CallOffered>();
        options.Events.AddEventType<CallAnswered>();
        options.Events.AddEventType<CallAbandoned>();
        options.Events.AddEventType<CallCompleted>();
        options.Events.AddEventType<CallRecordCorrected>();
    }
}
