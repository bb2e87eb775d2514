using Cooperation.Api.Infrastructure;
using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Appointments;

public static class AppointmentsConfiguration
{
    public static IServiceCollection AddAppointments(this IServiceCollection services) => services.AddSingleton<AppointmentWrites>();

    /// <summary>Kept inline: lists by contract (and by the call it was booked in) query the documents.</summary>
    public static void AddAppointments(this StoreOptions options)
    {
        options.AddStream<Appointment>(ProjectionLifecycle.Inline);
        options.Schema.For<Appointment>().Index(a => a.ContractId).Index(a => a.CallId!);
    }
}
