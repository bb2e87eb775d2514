using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Contracts;

public sealed class ChangeKpiSettingsTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    [Fact]
    public async Task ChangeKpiSettings_records_the_settings_from_their_date_keeping_what_is_left_out()
    {
        var id = await GivenContract();

        var contract = await Post($"/api/contracts/{id}/kpi-settings",
            new JsonObject { ["serviceLevelSeconds"] = 20, ["serviceLevelTargetPercent"] = 80.5m, ["effectiveFrom"] = "2022-01-01" }, Admin);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [ { "effectiveFrom": "2020-11-02", "settings": { "serviceLevelSeconds": 30, "shortAbandonSeconds": 10,
                  "serviceLevelTargetPercent": 75, "firstContactResolutionTargetPercent": 80 } },
              { "effectiveFrom": "2022-01-01", "settings": { "serviceLevelSeconds": 20, "shortAbandonSeconds": 10,
                  "serviceLevelTargetPercent": 80.5, "firstContactResolutionTargetPercent": 80 } } ]
            """), contract["kpiSettingsHistory"]), contract["kpiSettingsHistory"]!.ToJsonString());
        Assert.Equal(2, (int)contract["version"]!);
    }

    [Fact]
    public async Task ChangeKpiSettings_repeated_is_a_success_that_stores_nothing()
    {
        var id = await GivenContract();
        var change = new JsonObject { ["shortAbandonSeconds"] = 5, ["effectiveFrom"] = "2022-01-01" };
        await Post($"/api/contracts/{id}/kpi-settings", change, Admin);
        var before = await Fixture.EventCountAsync();

        await Post($"/api/contracts/{id}/kpi-settings", change, Admin);

        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Theory]
    [InlineData("""{"serviceLevelSeconds":0,"effectiveFrom":"2022-01-01"}""", "serviceLevelSeconds", "between")]
    [InlineData("""{"shortAbandonSeconds":-1,"effectiveFrom":"2022-01-01"}""", "shortAbandonSeconds", "between")]
    [InlineData("""{"firstContactResolutionTargetPercent":100.5,"effectiveFrom":"2022-01-01"}""", "firstContactResolutionTargetPercent", "between")]
    [InlineData("""{"serviceLevelTargetPercent":75.125,"effectiveFrom":"2022-01-01"}""", "serviceLevelTargetPercent", "two decimals")]
    [InlineData("""{"serviceLevelSeconds":20}""", "effectiveFrom", "must not be empty")]
    [InlineData("""{"effectiveFrom":"2022-01-01"}""", "$", "at least one setting")]
    [InlineData("""{"serviceLevelSeconds":"twenty","effectiveFrom":"2022-01-01"}""", "serviceLevelSeconds", "valid")]
    public async Task ChangeKpiSettings_with_bad_input_is_rejected_with_400(string json, string field, string rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/kpi-settings", json, Admin, 400, field, rule);
    }

    [Fact]
    public async Task ChangeKpiSettings_before_the_start_is_rejected_with_409()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/kpi-settings", """{"serviceLevelSeconds":20,"effectiveFrom":"2020-01-01"}""", Admin, 409, "effectiveFrom");
    }
}
