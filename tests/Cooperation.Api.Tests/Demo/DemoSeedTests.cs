using System.Diagnostics;
using System.Text.Json.Nodes;
using Cooperation.Api.Billing;
using Cooperation.Api.Calls;
using Cooperation.Api.Demo;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Demo;

/// <summary>
/// The demo's whole seed, about 175,000 calls over six years, on a host of its own whose schema is dropped afterwards,
/// so the collection's other tests (the chain's verifier, the rebuilds) never read its events. About a minute.
/// </summary>
public sealed class DemoSeedTests(AppFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    private const string Contract = DemoData.ContractId;

    [Fact]
    public async Task The_demo_seeds_traffic_for_every_billed_quarter_with_one_missed_service_level_and_a_fee_amendment_once()
    {
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?>());
        var services = own.Host.Services;
        var store = services.GetRequiredService<IDocumentStore>();
        async Task<long> SeedAsync(TimeProvider clock)
        {
            await DemoData.SeedAsync(store, clock, output.WriteLine);
            await DemoCalls.SeedAsync(store, services.GetRequiredService<CallImport>(), clock, output.WriteLine);
            await DemoBilling.SeedAsync(store, services.GetRequiredService<BillingLock>(), clock, output.WriteLine);
            return (await store.Advanced.FetchEventStoreStatistics()).EventCount;
        }

        // Seeded three months ago, then today: the second run adds the quarters that have ended since, with their
        // invoices once due; a third adds nothing.
        var seeding = Stopwatch.StartNew();
        var earlierClock = new Clock(DateTimeOffset.UtcNow.AddDays(-92));
        var earlier = await SeedAsync(earlierClock);
        var seeded = await SeedAsync(TimeProvider.System);
        output.WriteLine($"Seeded {earlier:N0} events, then {seeded - earlier:N0} more, in {seeding.Elapsed.TotalSeconds:F0} s.");
        Assert.True(seeded > earlier);
        Assert.Equal(seeded, await SeedAsync(TimeProvider.System));
        await store.WaitForNonStaleProjectionDataAsync(TimeSpan.FromMinutes(5));
        Task<JsonNode> Read(string url, string token) => Get(url, token, on: own.Host);

        var finance = Tokens.For("finance", "castrop-rauxel");
        var contract = await Read($"/api/contracts/{Contract}", finance);
        Assert.Equal(190_000m, Money(contract["annualFee"]));
        Assert.Equal([("2020-11-02", 180_000.00m), ("2024-01-01", 190_000.00m)],
            contract["fees"]!.AsArray().Select(f => ((string)f!["effectiveFrom"]!, Money(f["annualFee"]))));
        Assert.Equal(["buergerbuero", "ordnungswesen"], contract["serviceLines"]!.AsArray().Select(l => (string)l!["code"]!));

        // Every billed quarter has its calls, with referrals, appointments and corrections; the service level is met in
        // every quarter but the one short of agents; the fee is that of the quarter's terms.
        var billed = DemoBilling.Billed(Berlin.Today(TimeProvider.System));
        Assert.True(billed.Count >= 24, string.Join(", ", billed));
        var reports = new Dictionary<Quarter, JsonNode>();
        foreach (var quarter in billed)
        {
            var report = reports[quarter] = await Read($"/api/reports/quarterly/{Contract}/{quarter.Year}/{quarter.Number}", finance);
            var total = report["total"]!;
            output.WriteLine($"{quarter}: offered {total["offered"]}, service level {total["serviceLevelPercent"]} %, fee due {report["cost"]!["feeDue"]}");
            Assert.True((int)total["offered"]! > 2_500, $"{quarter}: {total.ToJsonString()}");
            Assert.True((int)total["referralsOpened"]! > 0 && (int)total["appointmentsBooked"]! > 0 && (int)total["correctedCalls"]! > 0, $"{quarter}: {total.ToJsonString()}");
            Assert.Equal(quarter != DemoCalls.ShortStaffed, (bool)total["serviceLevelMet"]!);
            Assert.Equal(quarter == new Quarter(2020, 4) ? 29_347.83m : quarter.Year < 2024 ? 45_000.00m : 47_500.00m, Money(report["cost"]!["feeDue"]));
        }

        Assert.InRange(Percent(reports[DemoCalls.ShortStaffed]), 50m, 70m);
        Assert.All(reports.Where(r => r.Key != DemoCalls.ShortStaffed), r => Assert.InRange(Percent(r.Value), 76m, 90m));
        Assert.Equal(["buergerbuero"], reports[new(2020, 4)]["serviceLines"]!.AsArray().Select(l => (string)l!["code"]!));
        Assert.Equal(["buergerbuero", "ordnungswesen"], reports[new(2021, 1)]["serviceLines"]!.AsArray().Select(l => (string)l!["code"]!));

        // The seasons: each year's first quarter (January, the weeks before Easter) is clearly busier than its third
        // (August) and fourth (Christmas); a full year is about 30,000 calls.
        int Offered(Quarter quarter) => (int)reports[quarter]["total"]!["offered"]!;
        foreach (var year in billed.Where(q => q.Number == 4 && q.Year > 2020).Select(q => q.Year))
        {
            Assert.True(Offered(new(year, 1)) > 1.15 * Offered(new(year, 3)) && Offered(new(year, 1)) > 1.15 * Offered(new(year, 4)), $"{year}");
            Assert.InRange(Enumerable.Range(1, 4).Sum(n => Offered(new(year, n))), 25_000, 32_000);
        }

        // Each year's reconciliation ties to its quarters' reports, and to its documents: Q2 2021 cancelled and invoiced
        // again, 2024 on at the amended fee, all paid but the latest invoice.
        var partPaidEarlier = DemoBilling.Billed(Berlin.Today(earlierClock))[^1];
        foreach (var year in billed.Select(q => q.Year).Distinct())
        {
            var reconciliation = await Read($"/api/reconciliation/{Contract}/{year}", finance);
            var quarters = reports.Where(r => r.Key.Year == year).Select(r => r.Value).ToList();
            Assert.Equal(quarters.Sum(r => (int)r["total"]!["answered"]!), (int)reconciliation["service"]!["kpis"]!["answered"]!);
            Assert.Equal(Money(reconciliation["invoiced"]) - Money(reconciliation["credited"]) - Money(reconciliation["paid"]), Money(reconciliation["openBalance"]));
            // The latest invoice of each run stays paid in part: its year has an open balance.
            if (billed.Contains(new Quarter(year, 4)) && year != billed[^1].Year && year != partPaidEarlier.Year)
            {
                Assert.Equal((quarters.Sum(r => Money(r["cost"]!["feeDue"])), 0m, 0m),
                    (Money(reconciliation["feeDue"]), Money(reconciliation["openBalance"]), Money(reconciliation["difference"])));
            }
        }

        var y2021 = await Read($"/api/reconciliation/{Contract}/2021", finance);
        Assert.Equal((180_000.00m, 225_000.00m, 45_000.00m, 180_000.00m),
            (Money(y2021["feeDue"]), Money(y2021["invoiced"]), Money(y2021["credited"]), Money(y2021["paid"])));
        Assert.Equal(["BO-2021-0003", "BO-2021-0004", "BO-2021-0005"], y2021["quarters"]![1]!["documents"]!.AsArray().Select(d => (string)d!["number"]!));
        var y2024 = await Read($"/api/reconciliation/{Contract}/2024", finance);
        Assert.Equal((190_000.00m, 190_000.00m, 190_000.00m), (Money(y2024["feeDue"]), Money(y2024["invoiced"]), Money(y2024["paid"])));
        var q4 = await Read("/api/invoices/demo-invoice-2020-q4", finance);
        Assert.Equal(("BO-2021-0001", "2021-01-11", "2021-02-10", "paid"), ((string)q4["number"]!, (string)q4["issuedOn"]!, (string)q4["dueOn"]!, (string)q4["status"]!));
        var amended = await Read("/api/invoices/demo-invoice-2024-q1", finance);
        Assert.Equal((47_500.00m, "paid"), (Money(amended["amount"]), (string)amended["status"]!));
        Assert.Contains("190000.00", (string)amended["lines"]![0]!["description"]!, StringComparison.Ordinal);
        Assert.Equal("credit-note", (string)(await Read("/api/invoices/demo-credit-note-2021-q2", finance))["kind"]!);
        var latest = await Read($"/api/invoices/{DemoBilling.InvoiceId(billed[^1])}", finance);
        Assert.Equal(DemoBilling.PartPayment, Money(latest["paid"]));
        Assert.Equal(DemoBilling.PartPayment, Money((await Read($"/api/invoices/{DemoBilling.InvoiceId(partPaidEarlier)}", finance))["paid"]));
        Assert.Equal(billed.Count(q => q != DemoBilling.Corrected) + 3, (await Read($"/api/invoices?contractId={Contract}&limit=1000", finance)).AsArray().Count);

        // The call the README shows, the departments' work and the appointments, as the API serves them.
        var department = Tokens.For("department", "castrop-rauxel");
        var call = await Read("/api/calls/demo-20210301-0000", department);
        Assert.Equal((Contract, "buergerbuero"), ((string)call["contractId"]!, (string)call["serviceLine"]!));
        Assert.Contains((string)call["status"]!, new[] { "completed", "answered", "abandoned" });
        foreach (var status in new[] { "open", "answered", "returned" })
        {
            var referral = (await Read($"/api/referrals?contractId={Contract}&status={status}&limit=1", department)).AsArray().Single()!;
            Assert.Equal((string)referral["referralId"]!, (string)(await Read($"/api/calls/{(string)referral["callId"]!}", department))["referralId"]!);
        }

        foreach (var status in new[] { "attended", "missed", "cancelled", "booked" })
        {
            var appointment = (await Read($"/api/appointments?contractId={Contract}&status={status}&limit=1", department)).AsArray().Single()!;
            Assert.Equal("appointment-booked", (string)(await Read($"/api/calls/{(string)appointment["callId"]!}", department))["outcome"]!);
        }

        output.WriteLine($"The whole test took {seeding.Elapsed.TotalSeconds:F0} s.");
    }

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static decimal Money(JsonNode? value) => value!.GetValue<decimal>();

    private static decimal Percent(JsonNode report) => Money(report["total"]!["serviceLevelPercent"]);
}
