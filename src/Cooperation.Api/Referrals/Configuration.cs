using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Referrals;

public static class ReferralsConfiguration
{
    /// <summary>Inline snapshot: the work queue is a query over current referrals, written with each change.</summary>
    public static void AddReferrals(this StoreOptions options)
    {
        options.Projections.Snapshot<Referral>(SnapshotLifecycle.Inline);
        options.Schema.For<Referral>().Index(r => r.ContractId).Index(r => r.CallId);
        options.Events.AddEventType<ReferralOpened>();
        options.Events.AddEventType<ReferralAccepted>();
        options.Events.AddEventType<ReferralAnswered>();
        options.Events.AddEventType<ReferralReturned>();
        options.Events.AddEventType<ReferralReassigned>();
    }
}
