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
        await DemoBilling.SeedAsync(Fixture.Store, _ => { });
        var seeded = await Fixture.EventCountAsync();

        await DemoData.SeedAsync(Fixture.Store, TimeProvider.System, _ => { });
        await DemoCalls.SeedAsync(Fixture.Store, pseudonym, _ => { });
        await DemoBilling.SeedAsync(Fixture.Store, _ => { });

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

        // Both past quarters invoiced, Q4 2020 paid in full and Q1 2021 in part; the year ties to the reports.
        var y2020 = await Get("/api/reconciliation/bochum-castrop-rauxel/2020", finance);
        var y2021 = await Get("/api/reconciliation/bochum-castrop-rauxel/2021", finance);
        Assert.Equal((29_347.83m, 29_347.83m, 29_347.83m, 0m), (Money(y2020["feeDue"]), Money(y2020["invoiced"]), Money(y2020["paid"]), Money(y2020["openBalance"])));
        var q1Billed = y2021["quarters"]![0]!;
        Assert.Equal((45_000.00m, 45_000.00m, 40_000.00m, 5_000.00m), (Money(q1Billed["feeDue"]), Money(q1Billed["invoiced"]), Money(q1Billed["paid"]), Money(q1Billed["openBalance"])));
        Assert.Equal("BO-2021-0002", (string)q1Billed["documents"]![0]!["number"]!);
        Assert.Equal(180_000.00m, Money(y2021["feeDue"]));
        Assert.Equal((int)q1["total"]!["answered"]!, (int)y2021["service"]!["kpis"]!["answered"]!);
        var invoice = await Get("/api/invoices/demo-invoice-2020-q4", finance);
        Assert.Equal(("BO-2021-0001", "2021-01-11", "2021-02-10", "paid"), ((string)invoice["number"]!, (string)invoice["issuedOn"]!, (string)invoice["dueOn"]!, (string)invoice["status"]!));
    }

    private static decimal Money(System.Text.Json.Nodes.JsonNode? value) => value!.GetValue<decimal>();
}
