using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Appointments;

public static class AppointmentsConfiguration
{
    /// <summary>Inline snapshot: lists by contract (and by the call it was booked in) query the documents.</summary>
    public static void AddAppointments(this StoreOptions options)
    {
        options.Projections.Snapshot<Appointment>(SnapshotLifecycle.Inline);
        options.Schema.For<Appointment>().Index(a => a.ContractId).Index(a => a.CallId!);
        options.Events.AddEventType<AppointmentBooked>();
        options.Events.AddEventType<AppointmentRescheduled>();
        options.Events.AddEventType<AppointmentCancelled>();
        options.Events.AddEventType<AppointmentAttended>();
        options.Events.AddEventType<AppointmentMissed>();
    }
}
