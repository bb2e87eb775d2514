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
        WriteStep.AddCheckFunction(options, NoBookingIn, "call_id varchar", $$"""
            begin
              if exists (select 1 from {{options.DatabaseSchemaName}}.mt_doc_appointment where data ->> 'callId' = call_id) then
                raise exception 'An appointment was booked in call % since it was read.', call_id using errcode = '{{WriteStep.StaleRead}}';
              end if;
            end
            """);
    }

    /// <summary>
    /// Checked in the save of a call's outcome other than 'appointment-booked', after the call's lock: a booking
    /// in the call holds that lock shared until it commits (it relies on the call), so one made since the
    /// completion read the call's appointments is seen here and the completion decided again.
    /// </summary>
    public const string NoBookingIn = "co_no_booking_in";
}
