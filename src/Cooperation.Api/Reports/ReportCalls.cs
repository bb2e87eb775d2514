using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Reports;

/// <summary>
/// Gathers a contract's calls of one quarter for the report, with their referrals and appointments: now, from
/// the projected call facts and the referral and appointment snapshots; or as known at an instant, by folding
/// only the events recorded by then.
/// </summary>
public static class ReportCalls
{
    public static async Task<IReadOnlyList<ReportCall>> NowAsync(IQuerySession session, string contractId, Quarter quarter, CancellationToken ct)
    {
        var facts = await FactsAsync(session, contractId, quarter, ct);
        var callIds = facts.Select(f => f.CallId).ToArray();
        var referrals = await ReferralsAsync(session, contractId, callIds, ct);
        var appointments = await AppointmentsAsync(session, contractId, callIds, ct);
        return Join(facts, referrals, appointments.Select(a => a.CallId!));
    }

    public static async Task<IReadOnlyList<ReportCall>> AsOfAsync(
        IQuerySession session, string contractId, Quarter quarter, DateTimeOffset asOf, CancellationToken ct)
    {
        // Which calls belong to the quarter is fixed when they are offered; what is known of them is not.
        var known = await FactsAsync(session, contractId, quarter, ct);
        var callIds = known.Select(f => f.CallId).ToArray();
        var facts = (await EventsAsOfAsync(session, known.Select(f => f.Id), asOf, ct))
            .Select(CallFacts.Fold).OfType<CallFacts>().ToList();

        var referrals = (await EventsAsOfAsync(session, (await ReferralsAsync(session, contractId, callIds, ct)).Select(r => r.Id), asOf, ct))
            .Select(events => Aggregates.Fold<Referral>(null, events))
            .OfType<Referral>().ToList();

        var appointments = await AppointmentsAsync(session, contractId, callIds, ct);
        var booked = (await EventsAsOfAsync(session, appointments.Select(a => a.Id), asOf, ct))
            .Select(events => events.OfType<AppointmentBooked>().FirstOrDefault()?.CallId).OfType<string>();
        return Join(facts, referrals, booked);
    }

    /// <summary>Up to which event the projected call facts are current, and the latest event recorded.</summary>
    public static async Task<ReportCurrency> CurrencyAsync(IQuerySession session, CancellationToken ct)
    {
        var shards = await session.Database.FetchProjectionProgressFor([new ShardName(nameof(CallFacts)), ShardName.HighWaterMarkFor()], ct);
        var highWaterMark = ShardName.HighWaterMarkFor().Identity;
        return new ReportCurrency(
            shards.Where(s => s.ShardName != highWaterMark).Select(s => s.Sequence).FirstOrDefault(),
            shards.Where(s => s.ShardName == highWaterMark).Select(s => s.Sequence).FirstOrDefault());
    }

    private static Task<IReadOnlyList<CallFacts>> FactsAsync(IQuerySession session, string contractId, Quarter quarter, CancellationToken ct)
    {
        var key = quarter.ToString();
        return session.Query<CallFacts>().Where(f => f.ContractId == contractId && f.Quarter == key).ToListAsync(ct);
    }

    private static Task<IReadOnlyList<Referral>> ReferralsAsync(IQuerySession session, string contractId, string[] callIds, CancellationToken ct) =>
        session.Query<Referral>().Where(r => r.ContractId == contractId && r.CallId.IsOneOf(callIds)).ToListAsync(ct);

    private static Task<IReadOnlyList<Appointment>> AppointmentsAsync(IQuerySession session, string contractId, string[] callIds, CancellationToken ct) =>
        session.Query<Appointment>().Where(a => a.ContractId == contractId && a.CallId!.IsOneOf(callIds)).ToListAsync(ct);

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

    private static List<ReportCall> Join(IEnumerable<CallFacts> facts, IEnumerable<Referral> referrals, IEnumerable<string> appointmentCallIds)
    {
        var referralOf = referrals.GroupBy(r => r.CallId).ToDictionary(g => g.Key, g => g.First());
        var appointmentsOf = appointmentCallIds.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        return [.. facts.Select(f => f.ToReportCall(
            referralOf.GetValueOrDefault(f.CallId)?.AnsweredAt,
            referralOf.ContainsKey(f.CallId),
            appointmentsOf.GetValueOrDefault(f.CallId)))];
    }
}
