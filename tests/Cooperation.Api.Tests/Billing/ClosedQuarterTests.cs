using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Billing;

/// <summary>Domain §6: once a quarter is invoiced, nothing dated into it is recorded, but a fee amendment.</summary>
public class ClosedQuarterTests(AppFixture fixture) : BillingTest(fixture)
{
    private const string InQ1 = "2021-03-01T09:15:00+01:00";

    private static JsonObject Offer(string callId, string contract, string at) =>
        new() { ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = at };

    [Fact]
    public async Task No_call_is_recorded_or_changed_in_an_invoiced_quarter_until_a_credit_note_reopens_it()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd");
        var waiting = UniqueId("c");
        var answered = UniqueId("c");
        await Post("/api/calls", Offer(waiting, contract, InQ1), acd, 201);
        await Post("/api/calls", Offer(answered, contract, InQ1), acd, 201);
        await Post($"/api/calls/{answered}/answered", new JsonObject { ["answeredAt"] = "2021-03-01T09:15:20+01:00", ["agentId"] = "a-1" }, acd);
        var invoice = await Invoice(contract, provider, 2021, 1);

        await Refused("/api/calls", Offer(UniqueId("c"), contract, "2021-03-31T17:00:00+02:00"), acd, 409, "offeredAt", "invoiced");
        await Refused($"/api/calls/{waiting}/abandoned", new JsonObject { ["abandonedAt"] = "2021-03-01T09:16:00+01:00" }, acd, 409, "callId", "invoiced");
        await Refused($"/api/calls/{answered}/completed", new JsonObject { ["completedAt"] = "2021-03-01T09:19:00+01:00", ["outcome"] = "resolved" }, acd, 409, "callId");
        await Refused($"/api/calls/{answered}/corrections", new JsonObject { ["reason"] = "Zeit falsch", ["answeredAt"] = "2021-03-01T09:15:10+01:00" }, acd, 409, "callId");
        await Refused("/api/appointments", new JsonObject
        {
            ["contractId"] = contract, ["callId"] = answered, ["service"] = "Reisepass", ["startsAt"] = "2021-03-10T10:00:00+01:00",
        }, acd, 409, "callId");

        // A retry of what was recorded before the invoice is still a retry, and the next quarter is open.
        await Post($"/api/calls/{answered}/answered", new JsonObject { ["answeredAt"] = "2021-03-01T09:15:20+01:00", ["agentId"] = "a-1" }, acd);
        await Post("/api/calls", Offer(UniqueId("c"), contract, "2021-04-01T08:00:00+02:00"), acd, 201);

        await CreditNote(Id(invoice), provider);
        await Post($"/api/calls/{waiting}/abandoned", new JsonObject { ["abandonedAt"] = "2021-03-01T09:16:00+01:00" }, acd);
        await Post("/api/calls", Offer(UniqueId("c"), contract, "2021-03-31T17:00:00+02:00"), acd, 201);
    }

    [Fact]
    public async Task A_batch_line_for_an_invoiced_quarter_is_rejected_and_the_others_stored()
    {
        var (contract, provider) = await GivenProviderContract();
        await Invoice(contract, provider, 2021, 1);
        var closed = Offer(UniqueId("c"), contract, InQ1).ToJsonString();
        var open = Offer(UniqueId("c"), contract, "2021-04-06T09:00:00+02:00").ToJsonString();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text($"{closed}\n{open}\n").ToUrl("/api/calls/batch");
            s.WithRequestHeader("Content-Type", "application/x-ndjson");
            s.WithBearerToken(Tokens.For("service-centre", provider, "acd"));
        });
        var body = JsonNode.Parse(await result.ReadAsTextAsync())!;

        Assert.Equal(1, (int)body["accepted"]!);
        var rejected = Assert.Single(body["rejected"]!.AsArray())!;
        Assert.Equal((1, 409), ((int)rejected["line"]!, (int)rejected["status"]!));
        Assert.NotNull(rejected["errors"]!["offeredAt"]);
    }

    [Fact]
    public async Task Contract_changes_may_not_reach_into_an_invoiced_quarter_but_a_fee_amendment_may()
    {
        var (contract, provider) = await GivenProviderContract();
        await Invoice(contract, provider, 2021, 1);
        var admin = Tokens.ContractAdmin();
        var url = $"/api/contracts/{contract}";

        var closed = Assert.Single((await Get(url, admin))["closedQuarters"]!.AsArray())!;
        Assert.Equal((2021, 1, $"BO-{ThisYear}-0001"), ((int)closed["year"]!, (int)closed["quarter"]!, (string)closed["invoiceNumber"]!));
        Assert.Equal(["year", "quarter", "invoiceId", "invoiceNumber", "closedAt"], closed.AsObject().Select(p => p.Key));
        await Refused($"{url}/kpi-settings", new JsonObject { ["serviceLevelSeconds"] = 20, ["effectiveFrom"] = "2021-02-01" }, admin, 409, "effectiveFrom", "2021-04-01");
        await Refused($"{url}/service-lines", new JsonObject { ["code"] = "standesamt", ["name"] = "Standesamt", ["from"] = "2021-03-31" }, admin, 409, "from");
        await Refused($"{url}/service-lines/buergerbuero/removal", new JsonObject { ["endsOn"] = "2021-03-30" }, admin, 409, "endsOn");
        await Refused($"{url}/termination", new JsonObject { ["endsOn"] = "2021-01-31" }, admin, 409, "endsOn");

        await Post($"{url}/kpi-settings", new JsonObject { ["serviceLevelSeconds"] = 20, ["effectiveFrom"] = "2021-04-01" }, admin);
        await Post($"{url}/service-lines", new JsonObject { ["code"] = "standesamt", ["name"] = "Standesamt", ["from"] = "2021-04-01" }, admin);
        await Post($"{url}/fee-amendments", new JsonObject { ["annualFee"] = 200_000m, ["effectiveFrom"] = "2021-02-01" }, admin);
        await Post($"{url}/termination", new JsonObject { ["endsOn"] = "2021-03-31" }, admin); // ends with the invoiced quarter: changes nothing in it
    }

    [Fact]
    public async Task The_service_calendar_may_not_change_where_an_invoiced_quarters_figures_depend_on_it()
    {
        var (contract, provider) = await GivenProviderContract();
        var admin = Tokens.For("contract-admin", provider, "admin");
        var url = $"/api/contracts/{contract}";
        await Post($"{url}/closure-days", new JsonObject { ["date"] = "2021-03-10" }, admin);
        await Invoice(contract, provider, 2021, 1);
        var mornings = new JsonObject { ["days"] = new JsonArray("mon", "tue", "wed", "thu", "fri"), ["opens"] = "08:00", ["closes"] = "12:00" };

        await Refused($"{url}/opening-hours", new JsonObject { ["effectiveFrom"] = "2021-03-15", ["openingHours"] = mornings.DeepClone() }, admin, 409, "effectiveFrom", "2021-Q1");
        await Refused($"{url}/closure-days", new JsonObject { ["date"] = "2021-03-11" }, admin, 409, "date", "invoiced");
        await Refused($"{url}/closure-days/2021-03-10/removal", "{}", admin, 409, "date", "invoiced");
        // A referral opened on the quarter's last day runs its 24-service-hour clock over Easter into 2021-04-07.
        await Refused($"{url}/opening-hours", new JsonObject { ["effectiveFrom"] = "2021-04-07", ["openingHours"] = mornings.DeepClone() }, admin, 409, "effectiveFrom", "from 2021-04-08 on");
        await Refused($"{url}/closure-days", new JsonObject { ["date"] = "2021-04-06" }, admin, 409, "date", "from 2021-04-08 on");

        await Post($"{url}/opening-hours", new JsonObject { ["effectiveFrom"] = "2021-04-08", ["openingHours"] = mornings.DeepClone() }, admin);
        await Post($"{url}/closure-days", new JsonObject { ["date"] = "2021-05-14", ["reason"] = "Brückentag" }, admin);
        await Post($"{url}/closure-days/2021-05-14/removal", new JsonObject(), admin);
    }

    [Fact]
    public async Task A_referral_of_an_invoiced_quarter_opened_after_its_end_keeps_the_calendar_until_its_clock_ran_out()
    {
        var (contract, provider) = await GivenProviderContract();
        var admin = Tokens.For("contract-admin", provider, "admin");
        var acd = Tokens.For("service-centre", provider, "acd");
        var call = UniqueId("c");
        await Post("/api/calls", Offer(call, contract, "2021-03-31T17:00:00+02:00"), acd, 201);
        await Post($"/api/calls/{call}/answered", new JsonObject { ["answeredAt"] = "2021-03-31T17:01:00+02:00", ["agentId"] = "a-1" }, acd);
        // Completed twelve days later: the referral's clock starts on Monday 2021-04-12 at 09:00.
        await Post($"/api/calls/{call}/completed", new JsonObject
        {
            ["completedAt"] = "2021-04-12T09:00:00+02:00", ["outcome"] = "referred", ["department"] = "ordnungsamt",
        }, acd);
        var department = Tokens.For("department", "castrop-rauxel", "clerk");
        await Post($"/api/referrals/ref-{call}/accepted", new JsonObject { ["acceptedAt"] = "2021-04-12T10:00:00+02:00" }, department);
        await Post($"/api/referrals/ref-{call}/answered", new JsonObject { ["answeredAt"] = "2021-04-14T17:00:00+02:00" }, department);
        await Invoice(contract, provider, 2021, 1);
        var mornings = new JsonObject { ["days"] = new JsonArray("mon", "tue", "wed", "thu", "fri"), ["opens"] = "08:00", ["closes"] = "10:00" };

        // Mon 9 h, Tue 10 h, Wed 10 h: the clock runs out on Wednesday; under mornings only it would not have.
        await Refused($"{url(contract)}/opening-hours", new JsonObject { ["effectiveFrom"] = "2021-04-13", ["openingHours"] = mornings.DeepClone() }, admin, 409, "effectiveFrom", "opened on 2021-04-12");
        await Refused($"{url(contract)}/closure-days", new JsonObject { ["date"] = "2021-04-14" }, admin, 409, "date", "from 2021-04-15 on");

        await Post($"{url(contract)}/opening-hours", new JsonObject { ["effectiveFrom"] = "2021-04-15", ["openingHours"] = mornings.DeepClone() }, admin);
        await Fixture.ProjectionsCaughtUpAsync();
        var report = (await Get($"/api/reports/quarterly/{contract}/2021/1", FinanceOf(provider))).AsObject();
        Assert.Equal((1, 0), ((int)report["total"]!["referralsOpened"]!, (int)report["total"]!["referralsAnsweredWithin24ServiceHours"]!));

        static string url(string contract) => $"/api/contracts/{contract}";
    }
}
