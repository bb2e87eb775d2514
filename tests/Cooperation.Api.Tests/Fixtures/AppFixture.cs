using Alba;
using Cooperation.LocalPostgres;
using JasperFx.CommandLine;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>
/// One host for the whole integration collection, on a real PostgreSQL, in a schema of its own that is
/// dropped afterwards: the demo's data is never touched. Tests keep apart by unique ids, not by wiping.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    private const string TestDatabase = "cooperation_test";

    public string Schema { get; } = "test_" + Guid.NewGuid().ToString("N")[..10];

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>The configured server, or one started for the test run (see ADR 0005).</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        ConnectionString = await LocalDatabase.EnsureAsync(TestDatabase, Console.WriteLine);
        JasperFxEnvironment.AutoStartHost = true;
        Environment.SetEnvironmentVariable(LocalDatabase.EnvironmentVariable, ConnectionString);
        Environment.SetEnvironmentVariable("Cooperation__Schema", Schema);
        Environment.SetEnvironmentVariable("Cooperation__BillingLockTimeout", "00:00:05"); // a test waits this long for a held lock
        Environment.SetEnvironmentVariable("Cooperation__ReportsMaxLag", "00:00:01"); // health is degraded soon, for its test
        Environment.SetEnvironmentVariable("Cooperation__HealthFresh", "00:00:00"); // and says so at once, without its second of memory
        Environment.SetEnvironmentVariable("Cooperation__AsOfSettled", "00:00:02"); // as-of reports are kept soon, for their test
        Environment.SetEnvironmentVariable("Cooperation__DailyDigest", "false"); // digests are recorded by their tests, not between others
        Environment.SetEnvironmentVariable("Cooperation__DailyRetention", "false"); // the demo's 2021 calls would be masked under other tests
        // Limited, so every answer carries the rate-limit headers, but far above what the fuzz and race tests send at once;
        // the limits themselves are tested on a host of their own (RateLimitTests). Processes the tests start inherit these.
        foreach (var bucket in new[] { "PerClient", "PerAddress" })
        {
            Environment.SetEnvironmentVariable($"Cooperation__RateLimits__{bucket}__Burst", "1000000");
            Environment.SetEnvironmentVariable($"Cooperation__RateLimits__{bucket}__PerSecond", "1000000");
        }

        Tokens.ConfigureHost();

        Host = await AlbaHost.For<Program>(builder => builder.ConfigureServices(services =>
        {
            services.RunWolverineInSoloMode();
            services.DisableAllExternalWolverineTransports();
        }));
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await DropSchemaAsync(Schema);
    }

    /// <summary>Drops a schema of the test run's database, if it is there.</summary>
    public async Task DropSchemaAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

    /// <summary>Waits until the asynchronous projections (the reports' call facts) have processed every event so far.</summary>
    public async Task ProjectionsCaughtUpAsync()
    {
        if (await EventCountAsync() > 0) // Marten's wait gives up on a store with no events at all
        {
            await Store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(3));
        }
    }

    /// <summary>All events in the store: "nothing was stored" is this number not moving.</summary>
    public async Task<long> EventCountAsync()
    {
        var statistics = await Store.Advanced.FetchEventStoreStatistics();
        return statistics.EventCount;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "api";
}
