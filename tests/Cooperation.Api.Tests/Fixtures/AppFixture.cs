using Alba;
using JasperFx.CommandLine;
using Marten;
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
    public const string DefaultConnectionString =
        "Host=localhost;Port=5432;Database=cooperation_test;Username=postgres;Password=postgres";

    public string Schema { get; } = "test_" + Guid.NewGuid().ToString("N")[..10];

    public IAlbaHost Host { get; private set; } = null!;

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Cooperation") is { Length: > 0 } configured
            ? configured
            : DefaultConnectionString;

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Environment.SetEnvironmentVariable("ConnectionStrings__Cooperation", ConnectionString);
        Environment.SetEnvironmentVariable("Cooperation__Schema", Schema);
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
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public IDocumentStore Store => Host.Services.GetRequiredService<IDocumentStore>();

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
