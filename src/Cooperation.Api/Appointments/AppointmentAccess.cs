using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Appointments;

/// <summary>The write step of an appointment's commands: reads the situation, lets <see cref="AppointmentDecider"/> decide, stores.</summary>
public sealed class AppointmentWrites(WriteStep step, ContractCache contracts, TimeProvider clock)
{
    public Task<Written<AppointmentSituation>> RunAsync(
        HttpContext http, string appointmentId, Func<AppointmentSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, (write, token) => ReadAsync(write, http, appointmentId, null, token), decide, ct);

    /// <summary>
    /// A booking also reads the call it names, with that call's contract. The decision relies on the call as read:
    /// it is not saved when the call changed meanwhile (a completion racing the booking), but decided again.
    /// </summary>
    public Task<Written<AppointmentSituation>> BookAsync(
        HttpContext http, string appointmentId, BookAppointment command, Func<AppointmentSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, async (write, token) =>
        {
            var situation = await ReadAsync(write, http, appointmentId, command.ContractId, token);
            if (command.CallId is null)
            {
                return situation;
            }

            var key = StreamKeys.Call(command.CallId);
            var call = await write.Session.Events.AggregateStreamAsync<Call>(key, token: token);
            if (call is null)
            {
                return situation;
            }

            write.RelyOn(key, call.Version, () => { });
            var callsContract = call.ContractId == situation.Contract?.ContractId
                ? situation.Contract
                : await contracts.GetAsync(write, call.ContractId, token);
            return situation with { Call = call, CallsContract = callsContract };
        }, decide, ct);

    private async Task<AppointmentSituation> ReadAsync(
        WriteSession write, HttpContext http, string appointmentId, string? contractId, CancellationToken ct)
    {
        var appointment = await write.FetchAsync<Appointment>(StreamKeys.Appointment(appointmentId), ct);
        var id = appointment?.ContractId ?? contractId;
        var contract = id is null ? null : await contracts.GetAsync(write, id, ct);
        return new AppointmentSituation(appointmentId, appointment, contract, Caller.From(http.User), clock.GetUtcNow());
    }
}

public static class AppointmentAccess
{
    /// <summary>Who may book and change appointments: the provider's agents and appointment system, the client city's staff.</summary>
    public const string Writers = $"{Roles.ServiceCentre},{Roles.Department}";

    /// <summary>The answer to an appointment's command: the problem, or the appointment as it stands after the decision.</summary>
    public static IResult Answer(Written<AppointmentSituation> written, bool createdOnChange = false) =>
        written.Decision.Answer(written.Input.Appointment, StreamKeys.Appointment(written.Input.AppointmentId), AppointmentView.From,
            createdOnChange ? a => $"/api/appointments/{a.AppointmentId}" : null);

    public static IResult Ok(Appointment appointment) => Results.Ok(AppointmentView.From(appointment));
}
