using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Reports;

public static class ReportsConfiguration
{
    /// <summary>
    /// Call facts are projected asynchronously (ADR 11): the telephony system's writes and the bulk import pay
    /// nothing for them, and a report reads one indexed query per quarter instead of replaying events.
    /// </summary>
    public static void AddReports(this StoreOptions options)
    {
        options.Projections.Add(new CallFactsProjection(), ProjectionLifecycle.Async);
        options.Schema.For<CallFacts>().Index(f => f.ContractId).Index(f => f.Quarter);
    }
}
