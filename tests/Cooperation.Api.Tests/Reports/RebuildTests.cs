using System.Diagnostics;
using System.Text.Json;
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
            output = await RunApp("projections", "rebuild", "-p", nameof(CallFacts));
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

    /// <summary>Runs the built service's command line against the test run's schema.</summary>
    private async Task<string> RunApp(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ConnectionStrings__Cooperation"] = Fixture.ConnectionString,
                ["Cooperation__Schema"] = Fixture.Schema,
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            },
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Cooperation.Api.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"'{string.Join(' ', arguments)}' failed: {await output}{error}");
        return await output;
    }
}
