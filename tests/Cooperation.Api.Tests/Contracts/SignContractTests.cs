using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Contracts;

public sealed class SignContractTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    [Fact]
    public async Task SignContract_stores_the_contract_and_answers_201_with_its_state()
    {
        var id = UniqueId("bo-cr");
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(ContractRequests.Sign(id).ToJsonString()).ToUrl("/api/contracts");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(Admin);
            s.StatusCodeShouldBe(201);
            s.Header("Location").SingleValueShouldEqual($"/api/contracts/{id}");
        });
        var created = JsonNode.Parse(await result.ReadAsTextAsync())!;
        var fetched = await Get($"/api/contracts/{id}", Admin);

        var expected = JsonNode.Parse($$"""
        {
          "contractId": "{{id}}", "streamId": "contract:{{id}}", "version": 1, "status": "active",
          "provider": { "id": "bochum", "name": "Stadt Bochum", "invoicePrefix": "BO",
                        "street": "Willy-Brandt-Platz 2-6", "postalCode": "44777", "city": "Bochum",
                        "iban": "DE86430500010000000000", "contactEmail": "servicecenter@bochum.de",
                        "contactName": "Servicecenter Bochum", "contactPhone": "+49 234 910-0", "vatId": null, "taxNumber": null },
          "client": { "id": "castrop-rauxel", "name": "Stadt Castrop-Rauxel", "state": "NW",
                      "leitwegId": "05916004-0001-21",
                      "street": "Europaplatz 1", "postalCode": "44575", "city": "Castrop-Rauxel" },
          "annualFee": 180000.00, "startsOn": "2020-11-02", "endsOn": null,
          "serviceLines": [ { "code": "buergerbuero", "name": "Bürgerbüro", "from": "2020-11-02", "endsOn": null } ],
          "fees": [ { "effectiveFrom": "2020-11-02", "annualFee": 180000.00 } ],
          "openingHours": { "mon": [ { "opens": "08:00", "closes": "18:00" } ], "tue": [ { "opens": "08:00", "closes": "18:00" } ],
                            "wed": [ { "opens": "08:00", "closes": "18:00" } ], "thu": [ { "opens": "08:00", "closes": "18:00" } ],
                            "fri": [ { "opens": "08:00", "closes": "18:00" } ], "sat": [], "sun": [] },
          "openingHoursHistory": [ { "effectiveFrom": "2020-11-02", "hours": { "mon": [ { "opens": "08:00", "closes": "18:00" } ], "tue": [ { "opens": "08:00", "closes": "18:00" } ],
                            "wed": [ { "opens": "08:00", "closes": "18:00" } ], "thu": [ { "opens": "08:00", "closes": "18:00" } ],
                            "fri": [ { "opens": "08:00", "closes": "18:00" } ], "sat": [], "sun": [] } } ],
          "closureDays": [], "closureReasons": [],
          "kpiSettings": { "serviceLevelSeconds": 30, "shortAbandonSeconds": 10,
                           "serviceLevelTargetPercent": 75, "firstContactResolutionTargetPercent": 80 },
          "kpiSettingsHistory": [ { "effectiveFrom": "2020-11-02", "settings": { "serviceLevelSeconds": 30,
                           "shortAbandonSeconds": 10, "serviceLevelTargetPercent": 75, "firstContactResolutionTargetPercent": 80 } } ],
          "vat": "not-subject", "paymentTermsDays": 30, "closedQuarters": []
        }
        """);
        Assert.True(JsonNode.DeepEquals(expected, created), created.ToJsonString());
        Assert.True(JsonNode.DeepEquals(expected, fetched), fetched.ToJsonString());
    }

    [Fact]
    public async Task SignContract_fills_in_the_defaults_of_the_domain()
    {
        var id = UniqueId("defaults");
        var body = ContractRequests.Sign(id)
            .Without("openingHours").Without("closureDays").Without("kpiSettings").Without("vat").Without("endsOn");

        var contract = await Post("/api/contracts", body, Admin, 201);

        Assert.Equal(
            """{"mon":[{"opens":"08:00","closes":"18:00"}],"tue":[{"opens":"08:00","closes":"18:00"}],"wed":[{"opens":"08:00","closes":"18:00"}],"thu":[{"opens":"08:00","closes":"18:00"}],"fri":[{"opens":"08:00","closes":"18:00"}],"sat":[],"sun":[]}""",
            contract["openingHours"]!.ToJsonString());
        Assert.Equal("""{"serviceLevelSeconds":30,"shortAbandonSeconds":10,"serviceLevelTargetPercent":75,"firstContactResolutionTargetPercent":80}""",
            contract["kpiSettings"]!.ToJsonString());
        Assert.Equal("not-subject", (string)contract["vat"]!);
        Assert.Null(contract["endsOn"]);
        Assert.Equal(30, (int)contract["paymentTermsDays"]!);
    }

    [Fact]
    public async Task SignContract_without_id_gets_one_from_the_server()
    {
        var body = ContractRequests.Sign("ignored").Without("contractId");

        var contract = await Post("/api/contracts", body, Admin, 201);

        var id = (string)contract["contractId"]!;
        Assert.Matches("^[a-z0-9]+$", id);
        await Get($"/api/contracts/{id}", Admin);
    }

    [Fact]
    public async Task SignContract_repeated_identically_is_a_success_that_stores_nothing()
    {
        var id = UniqueId("retry");
        await Post("/api/contracts", ContractRequests.Sign(id), Admin, 201);
        var before = await Fixture.EventCountAsync();

        var again = await Post("/api/contracts", ContractRequests.Sign(id), Admin, 200);

        Assert.Equal(1, (int)again["version"]!);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task SignContract_twice_at_the_same_moment_stores_one_event_and_both_succeed()
    {
        var id = UniqueId("race");
        var body = ContractRequests.Sign(id).ToJsonString();

        var results = await Racing("/api/contracts", body, Admin);

        Assert.All(results, r => Assert.Contains(r.Context.Response.StatusCode, new[] { 200, 201 }));
        await using var session = Fixture.Store.QuerySession();
        Assert.Single(await session.Events.FetchStreamAsync($"contract:{id}"));
    }

    [Fact]
    public async Task SignContract_with_an_existing_id_and_other_terms_is_rejected_with_409()
    {
        var id = UniqueId("taken");
        await Post("/api/contracts", ContractRequests.Sign(id), Admin, 201);

        await Refused("/api/contracts", ContractRequests.Sign(id).With("annualFee", 1m), Admin, 409, "contractId", "already exists");
    }

    public static TheoryData<string, JsonNode?, string, string> BadFields => new()
    {
        { "contractId", "Not Kebab", "contractId", "kebab-case" },
        { "provider", null, "provider", "must not be empty" },
        { "provider.id", "", "provider.id", "must not be empty" },
        { "provider.invoicePrefix", "bo-x", "provider.invoicePrefix", "upper-case" },
        { "provider.iban", "DE00430500010000000000", "provider.iban", "not a valid IBAN" },
        { "provider.contactEmail", "nobody", "provider.contactEmail", "email" },
        { "provider.postalCode", "4477", "provider.postalCode", "five digits" },
        { "provider.vatId", "DE12345", "provider.vatId", "nine digits" },
        { "client", null, "client", "must not be empty" },
        { "client.id", "bochum", "client.id", "must differ" },
        { "client.state", "XX", "client.state", "federal state" },
        { "client.leitwegId", "05916004-0001-22", "client.leitwegId", "check digits" },
        { "client.leitwegId", "05916004-0001-2", "client.leitwegId", "must look like" },
        { "client.leitwegId", "0-21", "client.leitwegId", "must look like" },
        { "annualFee", 0, "annualFee", "greater than" },
        { "annualFee", -5, "annualFee", "greater than" },
        { "annualFee", 1000.001m, "annualFee", "two decimals" },
        { "annualFee", null, "annualFee", "must not be empty" },
        { "startsOn", null, "startsOn", "must not be empty" },
        { "startsOn", "1999-12-31", "startsOn", "between 2000 and 2200" },
        { "endsOn", "2020-11-01", "endsOn", "must not be before" },
        { "serviceLines", new JsonArray(), "serviceLines", "at least one service line" },
        { "openingHours.opens", "18:00", "openingHours.closes", "before 'closes'" },
        { "openingHours.days", new JsonArray(), "openingHours.days", "at least one day" },
        { "kpiSettings.serviceLevelSeconds", 0, "kpiSettings.serviceLevelSeconds", "between" },
        { "kpiSettings.serviceLevelTargetPercent", 101, "kpiSettings.serviceLevelTargetPercent", "between" },
        { "kpiSettings.firstContactResolutionTargetPercent", 80.555m, "kpiSettings.firstContactResolutionTargetPercent", "two decimals" },
        { "paymentTermsDays", -1, "paymentTermsDays", "between" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task SignContract_with_a_bad_field_is_rejected_with_400_naming_it(string path, JsonNode? value, string field, string rule)
    {
        var body = ContractRequests.Sign(UniqueId("bad")).With(path, value);

        await Refused("/api/contracts", body, Admin, 400, field, rule);
    }

    [Fact]
    public async Task SignContract_with_duplicate_service_line_codes_is_rejected_with_400()
    {
        var body = ContractRequests.Sign(UniqueId("dup")).With("serviceLines", JsonNode.Parse("""
            [ { "code": "buergerbuero", "name": "A", "from": "2020-11-02" },
              { "code": "buergerbuero", "name": "B", "from": "2021-01-01" } ]
            """));

        await Refused("/api/contracts", body, Admin, 400, "serviceLines", "unique");
    }

    [Theory]
    [InlineData("Bürgerbüro", "serviceLines[0].code", "kebab-case")]
    [InlineData("", "serviceLines[0].code", "must not be empty")]
    public async Task SignContract_with_a_bad_service_line_code_is_rejected_with_400(string code, string field, string rule)
    {
        var body = ContractRequests.Sign(UniqueId("code")).With("serviceLines", new JsonArray(
            new JsonObject { ["code"] = code, ["name"] = "Bürgerbüro", ["from"] = "2020-11-02" }));

        await Refused("/api/contracts", body, Admin, 400, field, rule);
    }

    [Fact]
    public async Task SignContract_with_a_service_line_before_the_start_is_rejected_with_400()
    {
        var body = ContractRequests.Sign(UniqueId("early")).With("serviceLines", JsonNode.Parse("""
            [ { "code": "buergerbuero", "name": "Bürgerbüro", "from": "2020-11-01" } ]
            """));

        await Refused("/api/contracts", body, Admin, 400, "serviceLines[0]", "before the contract's 'startsOn'");
    }

    [Theory]
    [InlineData("""{"annualFee":"lots"}""", "annualFee")]
    [InlineData("""{"startsOn":"2020-13-45"}""", "startsOn")]
    [InlineData("""{"vat":"sometimes"}""", "vat")]
    [InlineData("""{"openingHours":{"opens":"8 o'clock"}}""", "openingHours.opens")]
    [InlineData("""{"openingHours":{"days":["monday"]}}""", "openingHours.days[0]")]
    [InlineData("""{"contractId": 5""", "contractId")]
    [InlineData("""not json""", "$")]
    public async Task SignContract_with_malformed_json_or_wrong_types_is_rejected_with_400_naming_the_field(string json, string field)
    {
        await Refused("/api/contracts", json, Admin, 400, field);
    }

    [Fact]
    public async Task SignContract_with_an_empty_body_is_rejected_with_400()
    {
        await Refused("/api/contracts", "", Admin, 400);
        await Refused("/api/contracts", "null", Admin, 400);
    }

    [Fact]
    public async Task SignContract_with_a_wrong_content_type_is_rejected_with_415_problem_details()
    {
        var before = await Fixture.EventCountAsync();
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(ContractRequests.Sign(UniqueId("ct")).ToJsonString()).ToUrl("/api/contracts");
            s.WithRequestHeader("Content-Type", "text/plain");
            s.WithBearerToken(Admin);
            s.StatusCodeShouldBe(415);
        });

        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task SignContract_by_a_municipality_that_is_no_party_is_forbidden()
    {
        var body = ContractRequests.Sign(UniqueId("foreign"));

        await Refused("/api/contracts", body, Tokens.ContractAdmin("dortmund"), 403);
    }

    [Fact]
    public async Task SignContract_by_an_admin_of_the_provider_is_allowed()
    {
        await Post("/api/contracts", ContractRequests.Sign(UniqueId("own")), Tokens.ContractAdmin("bochum"), 201);
    }

    [Fact]
    public async Task A_provider_keeps_one_invoice_prefix_across_its_contracts()
    {
        var provider = UniqueId("city");
        await Post("/api/contracts", ContractRequests.Sign(UniqueId("contract"), provider), Admin, 201);

        await Refused("/api/contracts", ContractRequests.Sign(UniqueId("contract"), provider).With("provider.invoicePrefix", "XY"), Admin, 409,
            "provider.invoicePrefix", "one prefix");
        await Post("/api/contracts", ContractRequests.Sign(UniqueId("contract"), provider, "herne"), Admin, 201);
    }

    [Fact]
    public async Task Two_signings_of_a_new_provider_with_different_prefixes_at_once_do_not_both_pass()
    {
        var provider = UniqueId("city");
        var bodies = new[] { ContractRequests.Sign(UniqueId("contract"), provider), ContractRequests.Sign(UniqueId("contract"), provider).With("provider.invoicePrefix", "XY") };

        var results = await Task.WhenAll(bodies.Select(body => Host.Scenario(s =>
        {
            s.Post.Text(body.ToJsonString()).ToUrl("/api/contracts");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(Admin);
            s.IgnoreStatusCode();
        })));

        Assert.Equal([201, 409], results.Select(r => r.Context.Response.StatusCode).Order());
    }
}
