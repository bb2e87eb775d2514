using JasperFx.Events.Projections;
using Marten;

namespace Cooperation.Api.Reports;

public static class ReportsConfiguration
{
    /// <summary>
    /// The reports' tallies are projected asynchronously (ADR 16): the telephony system's writes and the bulk
    /// import pay nothing for them, and a report is a read of a few tally rows.
    /// </summary>
    public static void AddReports(this StoreOptions options) =>
        options.Projections.Add(new ReportProjection(options), ProjectionLifecycle.Async);
}
