using System.Globalization;
using Cooperation.Api.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>The health checks' memory: probes cost the database at most one query per check a second.</summary>
public sealed class RecentHealthTests
{
    private sealed class Clock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.Parse("2026-12-02T08:00:00Z", CultureInfo.InvariantCulture);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed class Counting(Func<int, HealthCheckResult> answer) : IHealthCheck
    {
        public int Runs { get; private set; }

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(answer(++Runs));
    }

    private static readonly HealthCheckContext Context = new()
    {
        Registration = new HealthCheckRegistration("database", _ => throw new NotSupportedException(), HealthStatus.Unhealthy, null),
    };

    private static RecentHealth<Counting> Recent(Counting check, Clock clock) =>
        new(check, new ConfigurationBuilder().Build(), clock, NullLogger<Counting>.Instance);

    [Fact]
    public async Task A_result_is_kept_for_a_second_then_checked_again()
    {
        var clock = new Clock();
        var check = new Counting(run => HealthCheckResult.Healthy($"run {run}"));
        var recent = Recent(check, clock);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => recent.CheckHealthAsync(Context)));
        clock.Now = clock.Now.AddMilliseconds(999);
        var later = await recent.CheckHealthAsync(Context);
        clock.Now = clock.Now.AddMilliseconds(1);
        var fresh = await recent.CheckHealthAsync(Context);

        Assert.All(results, r => Assert.Equal("run 1", r.Description));
        Assert.Equal("run 1", later.Description);
        Assert.Equal("run 2", fresh.Description);
        Assert.Equal(2, check.Runs);
    }

    [Fact]
    public async Task A_check_that_throws_is_its_failure_status_with_a_text_that_names_nothing_of_the_database()
    {
        var recent = Recent(new Counting(_ => throw new InvalidOperationException("Failed to connect to 10.1.2.3:5432")), new Clock());

        var result = await recent.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The check failed; the service's log says why.", result.Description);
        Assert.Null(result.Exception);
    }
}
