using Cooperation.Api.Appointments;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Marten;

namespace Cooperation.Api.Calls;

/// <summary>What a decision on a call reads besides the call and its contract.</summary>
public sealed record CallReads
{
    public static CallReads Call { get; } = new();

    public static CallReads Offer { get; } = new() { AssumeNew = true };

    /// <summary>Whether this referral exists (the one the command would open).</summary>
    public string? Referral { get; init; }

    /// <summary>The appointments booked in the call.</summary>
    public bool Appointments { get; init; }

    /// <summary>An appointment the command names.</summary>
    public string? NamedAppointment { get; init; }

    /// <summary>The referral the call opened, fetched for writing (a correction may move it).</summary>
    public bool CallsReferral { get; init; }

    /// <summary>The call is taken to be new on the first attempt (an offer): one round trip fewer; a repeat costs a second attempt.</summary>
    public bool AssumeNew { get; init; }
}

/// <summary>The write step of a call's commands: reads the situation, lets <see cref="CallDecider"/> decide, stores.</summary>
public sealed class CallWrites(WriteStep step, ContractCache contracts, TimeProvider clock)
{
    public Task<Written<CallSituation>> RunAsync(
        HttpContext http, string callId, string? contractId, CallReads reads, Func<CallSituation, Decision> decide, CancellationToken ct) =>
        step.RunAsync(http, (write, token) => ReadAsync(write, http, callId, contractId, reads, token), decide, ct);

    private async Task<CallSituation> ReadAsync(
        WriteSession write, HttpContext http, string callId, string? contractId, CallReads reads, CancellationToken ct)
    {
        var session = write.Session;
        // Read before the call: a racing request that completed the call has opened its referral in the same
        // transaction, so a referral seen here comes with a completed call read next.
        var referralTaken = reads.Referral is { } referralId
            && await session.Events.FetchStreamStateAsync(StreamKeys.Referral(referralId), ct) is not null;
        var key = StreamKeys.Call(callId);
        var call = reads.AssumeNew && write.IsFirstAttempt ? write.AssumeNew<Call>(key) : await write.FetchAsync<Call>(key, ct);
        var id = call?.ContractId ?? contractId;
        var contract = id is null ? null : await contracts.GetAsync(write, id, ct);
        var situation = new CallSituation(callId, call, contract, Caller.From(http.User), clock.GetUtcNow()) { ReferralTaken = referralTaken };
        if (call is null)
        {
            return situation;
        }

        if (reads.Appointments)
        {
            situation = situation with
            {
                BookedAppointment = await session.Query<Appointment>().Where(a => a.CallId == callId).Select(a => a.AppointmentId).FirstOrDefaultAsync(ct),
            };
            if (situation.BookedAppointment is null)
            {
                write.CheckAtSave(AppointmentsConfiguration.NoBookingIn, callId);
            }
        }

        if (reads.NamedAppointment is { } named && await session.LoadAsync<Appointment>(StreamKeys.Appointment(named), ct) is { } appointment)
        {
            situation = situation with { Named = new NamedAppointment(appointment.AppointmentId, appointment.CallId) };
        }

        if (reads.CallsReferral && call.ReferralId is { } opened)
        {
            situation = situation with { Referral = await write.FetchAsync<Referral>(StreamKeys.Referral(opened), ct) };
        }

        return situation;
    }
}

public static class CallAccess
{
    /// <summary>The answer to a call's command: the problem, or the call as it stands after the decision.</summary>
    public static IResult Answer(Written<CallSituation> written, bool createdOnChange = false) =>
        written.Decision.Answer(written.Input.Call, StreamKeys.Call(written.Input.CallId), CallView.From,
            createdOnChange ? c => $"/api/calls/{c.CallId}" : null);

    public static IResult Ok(Call call) => Results.Ok(CallView.From(call));
}
