using Alba;
using Wolverine;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>
/// A second host of the service with settings of its own, in a schema of its own that is dropped with it. The settings
/// are environment variables for the start (read as the service reads them in production, also those read before the
/// host is built; null removes one); the collection's tests run one at a time, so borrowing the process's environment
/// for the start is safe.
/// </summary>
public sealed class OwnHost : IAsyncDisposable
{
    private readonly AppFixture _fixture;
    private readonly string _schema;

    private OwnHost(IAlbaHost host, AppFixture fixture, string schema)
    {
        Host = host;
        _fixture = fixture;
        _schema = schema;
    }

    public IAlbaHost Host { get; }

    /// <param name="fixture">Whose database holds the schema and drops it (also when the settings lead the host elsewhere).</param>
    /// <param name="settings">Environment variables for the start, e.g. <c>Cooperation__RateLimits__PerClient__Burst</c>.</param>
    public static async Task<OwnHost> StartAsync(AppFixture fixture, IReadOnlyDictionary<string, string?> settings)
    {
        var schema = "own_" + Guid.NewGuid().ToString("N")[..10];
        var all = new Dictionary<string, string?>(settings) { ["Cooperation__Schema"] = schema };
        var saved = all.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (key, value) in all)
            {
                Environment.SetEnvironmentVariable(key, value);
            }

            var host = await AlbaHost.For<Program>(builder => builder.ConfigureServices(services =>
            {
                services.RunWolverineInSoloMode();
                services.DisableAllExternalWolverineTransports();
            }));
            return new OwnHost(host, fixture, schema);
        }
        catch
        {
            await fixture.DropSchemaAsync(schema);
            throw;
        }
        finally
        {
            foreach (var (key, value) in saved)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await _fixture.DropSchemaAsync(_schema);
    }
}
