using System.Text.Json.Nodes;
using Cooperation.Api.Reports;
using Cooperation.Api.Tests.Fixtures;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cooperation.Api.Tests.Reports;

/// <summary>
/// The generations of the report tables under the races an independent review found (ADR 16): a daemon batch that
/// waits behind a rebuild's switch, two rebuilds at once, and a contract changed while its calls are not yet recounted.
/// </summary>
public class GenerationTests(AppFixture fixture) : ReportTest(fixture)
{
    private const string Line = "buergerbuero";

    [Fact]
    public async Task A_daemon_batch_waiting_behind_a_rebuilds_switch_goes_to_the_new_generation()
    {
        var contract = await GivenContract();
        await Answered(contract, Line, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:05+01:00");
        await Fixture.ProjectionsCaughtUpAsync();

        // Hold the live generation's row, so the rebuild's switch waits and a daemon batch queues behind it.
        await using var holder = new NpgsqlConnection(Fixture.ConnectionString);
        await holder.OpenAsync();
        var hold = await holder.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand($"select 1 from {Fixture.Schema}.co_report_generations where role = 'live' for update", holder, hold))
        {
            await lockRow.ExecuteScalarAsync();
        }

        var rebuild = Task.Run(() => Rebuild().RunAsync(_ => { }));
        await Task.Delay(1500);
        await Answered(contract, Line, "2021-03-02T09:00:00+01:00", "2021-03-02T09:00:05+01:00");
        await Task.Delay(1000);
        await hold.CommitAsync();
        var result = await rebuild;

        var report = await Report(contract, 2021, 1);
        Assert.Equal(2, (int)report["total"]!["answered"]!);
        var (generation, rows) = await ReportTables.SnapshotAsync(Fixture.ConnectionString, Fixture.Schema, contract);
        Assert.Equal(result.Generation, generation);
        Assert.Equal(2, rows.Count(r => r.StartsWith("(call:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Two_rebuilds_never_run_at_once()
    {
        var contract = await GivenContract();
        await Answered(contract, Line, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:05+01:00");
        await Fixture.ProjectionsCaughtUpAsync();

        await using var other = new NpgsqlConnection(Fixture.ConnectionString);
        await other.OpenAsync();
        var key = $"hashtextextended('{Fixture.Schema}.co_report_generations:rebuild', 0)";
        await using (var take = new NpgsqlCommand($"select pg_try_advisory_lock({key})", other))
        {
            Assert.True((bool)(await take.ExecuteScalarAsync())!); // no rebuild holds it: an earlier one gave it back
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Rebuild().RunAsync(_ => { }));
        Assert.Contains("Another rebuild", refused.Message);

        await using (var give = new NpgsqlCommand($"select pg_advisory_unlock({key})", other))
        {
            await give.ExecuteScalarAsync();
        }

        Assert.True((await Rebuild().RunAsync(_ => { })).Generation > 0);
    }

    [Fact]
    public async Task A_report_while_a_contract_change_is_not_yet_recounted_shows_the_terms_its_figures_were_counted_under()
    {
        var contract = await GivenContract();
        await Answered(contract, Line, "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:25+01:00"); // within 30 s, not within 20 s
        var before = await Report(contract, 2021, 1);
        Assert.Equal(1, (int)before["total"]!["answeredWithinServiceLevel"]!);

        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        JsonObject meanwhile;
        try
        {
            await Post($"/api/contracts/{contract}/kpi-settings",
                new JsonObject { ["serviceLevelSeconds"] = 20, ["effectiveFrom"] = "2021-01-01" }, Tokens.ContractAdmin());
            meanwhile = (await Get($"/api/reports/quarterly/{contract}/2021/1", Finance)).AsObject();
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        Assert.Equal(30, (int)meanwhile["settings"]!["serviceLevelSeconds"]!);
        Assert.Equal(1, (int)meanwhile["total"]!["answeredWithinServiceLevel"]!);

        var after = await Report(contract, 2021, 1);
        Assert.Equal(20, (int)after["settings"]!["serviceLevelSeconds"]!);
        Assert.Equal(0, (int)after["total"]!["answeredWithinServiceLevel"]!);
    }

    private ReportRebuild Rebuild() => new(Host.Services.GetRequiredService<IDocumentStore>(), Host.Services.GetRequiredService<NpgsqlDataSource>());
}
