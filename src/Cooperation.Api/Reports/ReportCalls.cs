using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Marten;

namespace Cooperation.Api.Reports;

/// <summary>The report projection has not yet applied every event recorded by the instant asked about.</summary>
public sealed class ReportsBehindException(ReportCurrency current)
    : Exception($"The reports have applied the events up to {current.UpToSequence} of {current.LatestSequence}.")
{
    public ReportCurrency Current { get; } = current;
}

/// <summary>
/// A contract's calls of one quarter as known at an instant (only events recorded by then), for the report as
/// known at it (ADR 16): the projected row of a call that nothing has reached since is what was known then; only
/// calls reached later (a correction, an answered referral, an appointment) or by events not yet projected are
/// folded again from their events.
/// </summary>
public static class ReportCalls
{
    public static async Task<IReadOnlyList<ReportCall>> AsOfAsync(
        IQuerySession session, ReportReads reads, string contractId, Quarter quarter, DateTimeOffset asOf, CancellationToken ct)
    {
        var (rows, unapplied) = await reads.RowsAsync(contractId, quarter, asOf, ct);
        var known = rows.Where(r => r.FirstRecorded <= asOf).ToDictionary(r => r.Id);

        // Calls reached after the instant, or by events the projection has not applied yet, are folded again.
        var changed = known.Values.Where(r => r.LastRecorded > asOf).Select(r => r.Id).ToHashSet();
        var byReferral = rows.Where(r => r.ReferralId is not null).ToDictionary(r => r.ReferralId!, r => r.Id);
        var key = quarter.ToString();
        foreach (var e in unapplied)
        {
            if (e.Data is CallOffered o && o.ContractId == contractId && Quarter.Of(o.OfferedAt).ToString() == key)
            {
                changed.Add(e.StreamKey!);
                continue;
            }

            var call = e.Data switch
            {
                Infrastructure.IStreamEvent<Call> => e.StreamKey,
                ReferralOpened opened => StreamKeys.Call(opened.CallId),
                ReferralAnswered a => byReferral.GetValueOrDefault(a.ReferralId),
                AppointmentBooked { CallId: { } callId } => StreamKeys.Call(callId),
                _ => null,
            };
            if (call is not null && known.ContainsKey(call))
            {
                changed.Add(call);
            }
        }

        var calls = known.Values.Where(r => !changed.Contains(r.Id)).Select(r => r.ToReportCall()).ToList();
        if (changed.Count == 0)
        {
            return calls;
        }

        var folded = (await EventsAsOfAsync(session, changed, asOf, ct))
            .Select(events => Aggregates.Fold<Call>(null, events)).OfType<Call>().ToList();
        var referrals = (await EventsAsOfAsync(session, folded.Where(c => c.ReferralId is not null).Select(c => StreamKeys.Referral(c.ReferralId!)), asOf, ct))
            .Select(events => Aggregates.Fold<Referral>(null, events)).OfType<Referral>().ToDictionary(r => r.CallId);
        var callIds = folded.Select(c => c.CallId).ToArray();
        var appointments = await session.Query<Appointment>().Where(a => a.ContractId == contractId && a.CallId!.IsOneOf(callIds)).ToListAsync(ct);
        var booked = (await EventsAsOfAsync(session, appointments.Select(a => a.Id), asOf, ct))
            .Select(events => events.OfType<AppointmentBooked>().FirstOrDefault()?.CallId).OfType<string>()
            .GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        foreach (var call in folded)
        {
            var referral = referrals.GetValueOrDefault(call.CallId);
            calls.Add(new ReportCall(
                call.ServiceLine, call.OfferedAt, call.AnsweredAt, call.AbandonedAt, call.CompletedAt, call.Outcome, call.Corrections > 0,
                referral is not null, referral?.AnsweredAt, booked.GetValueOrDefault(call.CallId)));
        }

        return calls;
    }

    /// <summary>The events of each stream recorded up to an instant, in order, in one query per thousand streams.</summary>
    private static async Task<List<List<object>>> EventsAsOfAsync(IQuerySession session, IEnumerable<string> streamKeys, DateTimeOffset asOf, CancellationToken ct)
    {
        var streams = new List<List<object>>();
        foreach (var chunk in streamKeys.Chunk(1000))
        {
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamKey!.IsOneOf(chunk) && e.Timestamp <= asOf)
                .OrderBy(e => e.Sequence)
                .ToListAsync(ct);
            streams.AddRange(events.GroupBy(e => e.StreamKey).Select(g => g.Select(e => e.Data).ToList()));
        }

        return streams;
    }
}
