using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Cooperation.Api.Infrastructure;

/// <summary>Healthy when PostgreSQL answers a query.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("PostgreSQL answers.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", e);
        }
    }
}

public static class Health
{
    public static HealthCheckOptions Options { get; } = new()
    {
        ResponseWriter = async (context, report) =>
        {
            context.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(context.Response.Body, new
            {
                status = report.Status.ToString().ToLowerInvariant(),
                checks = report.Entries.ToDictionary(e => e.Key, e => new
                {
                    status = e.Value.Status.ToString().ToLowerInvariant(),
                    description = e.Value.Description,
                    data = e.Value.Data.Count == 0 ? null : e.Value.Data,
                }),
            }, ApiJson.Options);
        },
    };
}

/// <summary>
/// A health check's last result, kept for <c>Cooperation:HealthFresh</c> (default 1 s): probes, which need no token
/// and are not rate limited, then cost the database at most one query a second whatever their number. A check that
/// throws is reported by its registration's failure status and a fixed text; the log has the exception, and the
/// answer tells nobody where the database is.
/// </summary>
public sealed class RecentHealth<TCheck>(TCheck check, IConfiguration configuration, TimeProvider clock, ILogger<TCheck> log) : IHealthCheck
    where TCheck : IHealthCheck
{
    private readonly SemaphoreSlim _running = new(1, 1);
    private readonly TimeSpan _fresh = configuration.GetValue("Cooperation:HealthFresh", TimeSpan.FromSeconds(1));
    private Memo? _last; // one reference: no reader sees half of a result

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (Fresh() is { } known)
        {
            return known;
        }

        await _running.WaitAsync(cancellationToken); // one check at a time; those waiting take its result
        try
        {
            if (Fresh() is { } meanwhile)
            {
                return meanwhile;
            }

            HealthCheckResult result;
            try
            {
                result = await check.CheckHealthAsync(context, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "The health check {Check} failed.", context.Registration.Name);
                result = new HealthCheckResult(context.Registration.FailureStatus, "The check failed; the service's log says why.");
            }

            var memo = new Memo(new HealthCheckResult(result.Status, result.Description, exception: null, result.Data), clock.GetUtcNow());
            _last = memo;
            return memo.Result;
        }
        finally
        {
            _running.Release();
        }
    }

    private HealthCheckResult? Fresh() => _last is { } last && clock.GetUtcNow() - last.At < _fresh ? last.Result : null;

    private sealed record Memo(HealthCheckResult Result, DateTimeOffset At);
}
