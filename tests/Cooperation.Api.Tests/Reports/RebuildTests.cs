using Cooperation.Api.Reports;
using Cooperation.Api.Tests.Fixtures;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace Cooperation.Api.Tests.Reports;

/// <summary>
/// The projection rebuilt from the events through the app's command line holds exactly what the live
/// projection held, corrections included; and the live projection goes on afterwards.
/// </summary>
public class RebuildTests(AppFixture fixture) : ReportTest(fixture)
{
    [Fact]
    public async Task Rebuilding_the_call_facts_from_the_events_gives_the_same_documents_and_report()
    {
        var contract = await GivenContractWithTwoLines();
        await new QuarterlyReportAcceptanceTests(Fixture).GivenTheHandCountedQuarter(contract);
        var report = Figures(await Report(contract, 2020, 4));
        var live = await FactsOf(contract);

        // The running service's daemon must not write while the command line rebuilds.
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        string output;
        try
        {
            output = await AppProcess.RunAsync(
                new Dictionary<string, string>
                {
                    ["ConnectionStrings__Cooperation"] = Fixture.ConnectionString,
                    ["Cooperation__Schema"] = Fixture.Schema,
                    ["ASPNETCORE_ENVIRONMENT"] = "Development",
                },
                null, "projections", "rebuild", "-p", nameof(CallFacts));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        Assert.Contains("CallFacts:All", output); // its progress
        Assert.Equal(live, await FactsOf(contract));
        JsonAssert.Equal(report, Figures(await Report(contract, 2020, 4)));

        // The live projection goes on after the rebuild.
        var later = await Answered(contract, "buergerbuero", "2020-11-16T09:00:00+01:00", "2020-11-16T09:00:10+01:00");
        await Fixture.ProjectionsCaughtUpAsync();
        Assert.Contains(later, (await FactsOf(contract)).Select(f => f.CallId));
    }

    private async Task<List<CallFacts>> FactsOf(string contract)
    {
        await using var session = Fixture.Store.QuerySession();
        return [.. (await session.Query<CallFacts>().Where(f => f.ContractId == contract).ToListAsync()).OrderBy(f => f.Id)];
    }
}
