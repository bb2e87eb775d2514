using Cooperation.Api.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cooperation.Api.Tests.Infrastructure;

public sealed class ReportsLagTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxLag = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(0, null, HealthStatus.Healthy, 0.0)]
    [InlineData(500, 59.9, HealthStatus.Healthy, 59.9)]
    [InlineData(500, 60.0, HealthStatus.Healthy, 60.0)]
    [InlineData(500, 60.1, HealthStatus.Degraded, 60.1)]
    [InlineData(3, -2.0, HealthStatus.Healthy, 0.0)] // the database's clock a little ahead
    public void The_reports_are_degraded_only_when_the_oldest_pending_event_is_older_than_the_allowed_lag(
        long eventsBehind, double? secondsAgo, HealthStatus status, double secondsBehind)
    {
        var oldest = secondsAgo is null ? (DateTimeOffset?)null : Now.AddSeconds(-secondsAgo.Value);

        var result = ReportsLagHealthCheck.Judge(eventsBehind, oldest, Now, MaxLag);

        Assert.Equal(status, result.Status);
        Assert.Equal(eventsBehind, result.Data["eventsBehind"]);
        Assert.Equal(secondsBehind, result.Data["secondsBehind"]);
    }
}
