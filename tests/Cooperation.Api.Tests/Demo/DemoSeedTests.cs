using Cooperation.Api.Calls;
using Cooperation.Api.Demo;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Cooperation.Api.Tests.Demo;

public sealed class DemoSeedTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task The_demo_seeds_the_contract_and_a_quarter_of_calls_referrals_and_appointments_once_with_filled_reports()
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
        var department = Tokens.For("department", "castrop-rauxel");
        var call = await Get("/api/calls/demo-20210301-0000", department);
        Assert.Equal("bochum-castrop-rauxel", (string)call["contractId"]!);
        Assert.Contains((string)call["status"]!, new[] { "completed", "answered", "abandoned" });

        var referrals = (await Get("/api/referrals?contractId=bochum-castrop-rauxel&limit=1000", department)).AsArray();
        Assert.Contains(referrals, r => (string)r!["status"]! == "answered");
        Assert.Contains(referrals, r => (string)r!["status"]! == "open");
        var referred = await Get($"/api/calls/{(string)referrals[0]!["callId"]!}", department);
        Assert.Equal((string)referrals[0]!["referralId"]!, (string)referred["referralId"]!);

        var appointments = (await Get("/api/appointments?contractId=bochum-castrop-rauxel", department)).AsArray();
        Assert.Contains(appointments, a => (string)a!["status"]! == "attended");
        var booked = await Get($"/api/calls/{(string)appointments[0]!["callId"]!}", department);
        Assert.Equal("appointment-booked", (string)booked["outcome"]!);

        // Both quarters show filled reports: Q4 2020 from the contract's first day, Q1 2021 with both lines.
        await Fixture.ProjectionsCaughtUpAsync();
        var finance = Tokens.For("finance", "castrop-rauxel");
        var q4 = await Get("/api/reports/quarterly/bochum-castrop-rauxel/2020/4", finance);
        var q1 = await Get("/api/reports/quarterly/bochum-castrop-rauxel/2021/1", finance);
        Assert.Equal(29_347.83m, (decimal)q4["cost"]!["feeDue"]!);
        Assert.Equal(45_000.00m, (decimal)q1["cost"]!["feeDue"]!);
        Assert.Equal(["buergerbuero"], q4["serviceLines"]!.AsArray().Select(l => (string)l!["code"]!));
        Assert.Equal(["buergerbuero", "ordnungswesen"], q1["serviceLines"]!.AsArray().Select(l => (string)l!["code"]!));
        foreach (var total in new[] { q4["total"]!, q1["total"]! })
        {
            Assert.True((int)total["offered"]! > 5_000, total.ToJsonString());
            Assert.InRange((decimal)total["reachabilityPercent"]!, 50m, 100m);
            Assert.True((int)total["referralsOpened"]! > 0 && (int)total["correctedCalls"]! > 0 && (int)total["appointmentsBooked"]! > 0);
        }
    }
}
