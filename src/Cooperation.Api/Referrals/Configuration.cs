using Cooperation.Api.Infrastructure;
using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Referrals;

public static class ReferralsConfiguration
{
    public static IServiceCollection AddReferrals(this IServiceCollection services) => services.AddSingleton<ReferralWrites>();

    /// <summary>Kept inline: the work queue is a query over current referrals, written with each change.</summary>
    public static void AddReferrals(this StoreOptions options)
    {
        options.AddStream<Referral>(ProjectionLifecycle.Inline);
        options.Schema.For<Referral>().Index(r => r.ContractId).Index(r => r.CallId);
    }
}
