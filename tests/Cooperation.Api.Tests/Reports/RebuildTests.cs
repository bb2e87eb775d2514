using System.Collections.Concurrent;
using Cooperation.Api.Reports;
using Cooperation.Api.Tests.Fixtures;
using JasperFx.Events.Daemon;
using Microsoft.Extensions.DependencyInjection;

namespace Cooperation.Api.Tests.Reports;

/// <summary>
/// The report tables rebuilt from the events hold exactly what the live projection held, corrections and answered
/// referrals included; a rebuild beside the running service never shows readers anything else; and the live
/// projection goes on afterwards in the new generation (ADR 16).
/// </summary>
public class RebuildTests(AppFixture fixture) : ReportTest(fixture)
{
    [Fact]
    public async Task Rebuilding_beside_the_running_service_gives_the_same_tables_and_readers_never_see_partial_figures()
    {
        var contract = await GivenContractWithTwoLines();
        await new QuarterlyReportAcceptanceTests(Fixture).GivenTheHandCountedQuarter(contract);
        // Calendar changes after the calls: the live projection recounted the quarter, the rebuild counts once.
        await Post($"/api/contracts/{contract}/closure-days", new System.Text.Json.Nodes.JsonObject { ["date"] = "2020-11-20" }, Tokens.ContractAdmin());
        await Post($"/api/contracts/{contract}/opening-hours", System.Text.Json.Nodes.JsonNode.Parse("""
            { "effectiveFrom": "2020-12-01", "openingHours": { "mon": [ { "opens": "08:00", "closes": "12:00" }, { "opens": "13:00", "closes": "18:00" } ],
              "tue": [ { "opens": "08:00", "closes": "18:00" } ], "wed": [ { "opens": "08:00", "closes": "18:00" } ],
              "thu": [ { "opens": "08:00", "closes": "18:00" } ], "fri": [ { "opens": "08:00", "closes": "14:00" } ] } }
            """)!, Tokens.ContractAdmin());
        var report = Figures(await Report(contract, 2020, 4));
        var live = await ReportTables.SnapshotAsync(Fixture.ConnectionString, Fixture.Schema, contract);

        // Readers ask all through the rebuild, which runs in its own process while this host's daemon goes on.
        var seen = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var readers = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                seen.Add(Figures(await Report(contract, 2020, 4)).ToJsonString());
            }
        });
        var output = await AppProcess.RunAsync(Environment(), null, "rebuild-reports");
        await stop.CancelAsync();
        await readers;

        Assert.Contains("took over from generation", output);
        Assert.All(seen, figures => Assert.Equal(report.ToJsonString(), figures));
        var rebuilt = await ReportTables.SnapshotAsync(Fixture.ConnectionString, Fixture.Schema, contract);
        Assert.True(rebuilt.Generation > live.Generation);
        Assert.Equal(live.Rows, rebuilt.Rows);

        // The live projection goes on in the new generation.
        var later = await Answered(contract, "buergerbuero", "2020-11-16T09:00:00+01:00", "2020-11-16T09:00:10+01:00");
        await Fixture.ProjectionsCaughtUpAsync();
        var after = await ReportTables.SnapshotAsync(Fixture.ConnectionString, Fixture.Schema, contract);
        Assert.Equal(rebuilt.Generation, after.Generation);
        Assert.Contains(after.Rows, r => r.Contains(later, StringComparison.Ordinal));
        Assert.Equal((int)report["total"]!["answered"]! + 1, (int)Figures(await Report(contract, 2020, 4))["total"]!["answered"]!);
    }

    [Fact]
    public async Task Martens_projection_rebuild_fills_a_new_generation_with_the_same_tables()
    {
        var contract = await GivenContractWithTwoLines();
        await new QuarterlyReportAcceptanceTests(Fixture).GivenTheHandCountedQuarter(contract);
        var report = Figures(await Report(contract, 2020, 4));
        var live = await ReportTables.SnapshotAsync(Fixture.ConnectionString, Fixture.Schema, contract);

        // Marten's command runs its own daemon: the service's must not run the same projection meanwhile.
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        string output;
        try
        {
            output = await AppProcess.RunAsync(Environment(), null, "projections", "rebuild", "-p", ReportProjection.ProjectionName);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        Assert.Contains($"{ReportProjection.ProjectionName}:All", output); // its progress
        var rebuilt = await ReportTables.SnapshotAsync(Fixture.ConnectionString, Fixture.Schema, contract);
        Assert.True(rebuilt.Generation > live.Generation);
        Assert.Equal(live.Rows, rebuilt.Rows);
        JsonAssert.Equal(report, Figures(await Report(contract, 2020, 4)));
    }

    private Dictionary<string, string> Environment() => new()
    {
        ["ConnectionStrings__Cooperation"] = Fixture.ConnectionString,
        ["Cooperation__Schema"] = Fixture.Schema,
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
    };
}
