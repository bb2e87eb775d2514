using Cooperation.Api.Calls;
using Cooperation.Api.Demo;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Cooperation.Api.Tests.Demo;

public sealed class DemoSeedTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task The_demo_seeds_the_contract_and_three_weeks_of_calls_once()
    {
        var pseudonym = Host.Services.GetRequiredService<CallerPseudonym>();
        await DemoData.SeedAsync(Fixture.Store, TimeProvider.System, _ => { });
        await DemoCalls.SeedAsync(Fixture.Store, pseudonym, _ => { });
        var seeded = await Fixture.EventCountAsync();

        await DemoData.SeedAsync(Fixture.Store, TimeProvider.System, _ => { });
        await DemoCalls.SeedAsync(Fixture.Store, pseudonym, _ => { });

        Assert.Equal(seeded, await Fixture.EventCountAsync());
        var contract = await Get("/api/contracts/bochum-castrop-rauxel", Tokens.For("finance", "castrop-rauxel"));
        Assert.Equal(180000m, (decimal)contract["annualFee"]!);
        Assert.Equal(["buergerbuero", "ordnungswesen"], contract["serviceLines"]!.AsArray().Select(l => (string)l!["code"]!));
        var call = await Get("/api/calls/demo-20210301-0000", Tokens.For("finance", "castrop-rauxel"));
        Assert.Equal("bochum-castrop-rauxel", (string)call["contractId"]!);
        Assert.Contains((string)call["status"]!, new[] { "answered", "abandoned" });
    }
}
