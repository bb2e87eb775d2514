using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Contracts;

public sealed class AddServiceLineTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    private static JsonObject Line(string code = "ordnungswesen", string name = "Ordnungswesen", string from = "2021-01-01") =>
        new() { ["code"] = code, ["name"] = name, ["from"] = from };

    [Fact]
    public async Task AddServiceLine_adds_the_line_from_its_date_and_bumps_the_version()
    {
        var id = await GivenContract();

        var contract = await Post($"/api/contracts/{id}/service-lines", Line(), Admin);

        Assert.Equal(2, (int)contract["version"]!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [ { "code": "buergerbuero", "name": "Bürgerbüro", "from": "2020-11-02", "endsOn": null },
              { "code": "ordnungswesen", "name": "Ordnungswesen", "from": "2021-01-01", "endsOn": null } ]
            """), contract["serviceLines"]), contract["serviceLines"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(contract, await Get($"/api/contracts/{id}", Admin)));
    }

    [Fact]
    public async Task AddServiceLine_repeated_identically_is_a_success_that_stores_nothing()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/service-lines", Line(), Admin);
        var before = await Fixture.EventCountAsync();

        var again = await Post($"/api/contracts/{id}/service-lines", Line(), Admin);

        Assert.Equal(2, (int)again["version"]!);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task AddServiceLine_with_a_code_already_served_is_rejected_with_409()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines", Line("buergerbuero", "Anders"), Admin, 409, "code", "already exists");
    }

    [Fact]
    public async Task AddServiceLine_again_after_removal_needs_a_date_after_the_removal()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/service-lines/buergerbuero/removal", new JsonObject { ["endsOn"] = "2021-06-30" }, Admin);

        await Refused($"/api/contracts/{id}/service-lines", Line("buergerbuero", "Bürgerbüro", "2021-06-30"), Admin, 409, "from", "only after");
        var contract = await Post($"/api/contracts/{id}/service-lines", Line("buergerbuero", "Bürgerbüro", "2021-07-01"), Admin);

        Assert.Equal(2, contract["serviceLines"]!.AsArray().Count(l => (string)l!["code"]! == "buergerbuero"));
    }

    [Fact]
    public async Task AddServiceLine_before_the_contract_starts_is_rejected_with_409()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines", Line(from: "2020-11-01"), Admin, 409, "from", "may not predate");
    }

    [Fact]
    public async Task AddServiceLine_after_the_end_of_a_terminated_contract_is_rejected_with_409()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/termination", new JsonObject { ["endsOn"] = "2022-12-31" }, Admin);

        await Refused($"/api/contracts/{id}/service-lines", Line(from: "2023-01-01"), Admin, 409, "from", "terminated");
    }

    [Theory]
    [InlineData("code", "Ordnungs Wesen", "code", "kebab-case")]
    [InlineData("code", "", "code", "must not be empty")]
    [InlineData("name", "", "name", "must not be empty")]
    [InlineData("from", null, "from", "must not be empty")]
    public async Task AddServiceLine_with_a_bad_field_is_rejected_with_400(string path, string? value, string field, string rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines", Line().With(path, value), Admin, 400, field, rule);
    }

    [Fact]
    public async Task AddServiceLine_to_an_unknown_contract_is_404()
    {
        await Refused("/api/contracts/no-such-contract/service-lines", Line(), Admin, 404);
    }

    [Fact]
    public async Task AddServiceLine_by_another_municipality_is_404_as_if_the_contract_did_not_exist()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines", Line(), Tokens.ContractAdmin("dortmund"), 404);
    }

    [Theory]
    [InlineData("finance")]
    [InlineData("auditor")]
    [InlineData("service-centre")]
    [InlineData("department")]
    public async Task AddServiceLine_by_a_role_other_than_contract_admin_is_403(string role)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines", Line(), Tokens.For(role), 403);
    }
}
