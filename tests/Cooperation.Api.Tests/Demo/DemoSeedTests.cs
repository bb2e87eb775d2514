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
        await DemoBilling.SeedAsync(Fixture.Store, Host.Services.GetRequiredService<Api.Billing.BillingLock>(), TimeProvider.System, _ => { });
        var seeded = await Fixture.EventCountAsync();

        await DemoData.SeedAsync(Fixture.Store, TimeProvider.System, _ => { });
        await DemoCalls.SeedAsync(Fixture.Store, pseudonym, _ => { });
        await DemoBilling.SeedAsync(Fixture.Store, Host.Services.GetRequiredService<Api.Billing.BillingLock>(), TimeProvider.System, _ => { });

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

        // Every past quarter invoiced; Q2 2021 cancelled and invoiced again; the years tie to the reports.
        var y2020 = await Get("/api/reconciliation/bochum-castrop-rauxel/2020", finance);
        var y2021 = await Get("/api/reconciliation/bochum-castrop-rauxel/2021", finance);
        Assert.Equal((29_347.83m, 29_347.83m, 29_347.83m, 0m), (Money(y2020["feeDue"]), Money(y2020["invoiced"]), Money(y2020["paid"]), Money(y2020["openBalance"])));
        Assert.Equal((180_000.00m, 225_000.00m, 45_000.00m, 180_000.00m, 0m, 0m),
            (Money(y2021["feeDue"]), Money(y2021["invoiced"]), Money(y2021["credited"]), Money(y2021["paid"]), Money(y2021["openBalance"]), Money(y2021["difference"])));
        Assert.Equal(["BO-2021-0003", "BO-2021-0004", "BO-2021-0005"], y2021["quarters"]![1]!["documents"]!.AsArray().Select(d => (string)d!["number"]!));
        Assert.Equal((int)q1["total"]!["answered"]!, (int)y2021["service"]!["kpis"]!["answered"]!);
        var invoice = await Get("/api/invoices/demo-invoice-2020-q4", finance);
        Assert.Equal(("BO-2021-0001", "2021-01-11", "2021-02-10", "paid"), ((string)invoice["number"]!, (string)invoice["issuedOn"]!, (string)invoice["dueOn"]!, (string)invoice["status"]!));

        // The latest billed quarter is left with an open balance.
        var thisYear = DateTime.UtcNow.Year;
        var recent = (await Get($"/api/reconciliation/bochum-castrop-rauxel/{thisYear}", finance)).AsObject();
        var earlier = (await Get($"/api/reconciliation/bochum-castrop-rauxel/{thisYear - 1}", finance)).AsObject();
        Assert.True(Money(recent["openBalance"]) > 0 || Money(earlier["openBalance"]) > 0, recent.ToJsonString());
    }

    private static decimal Money(System.Text.Json.Nodes.JsonNode? value) => value!.GetValue<decimal>();
}
