using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Contracts;

public sealed class AmendFeeTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    private static JsonObject Amendment(JsonNode? annualFee, string? effectiveFrom) =>
        new() { ["annualFee"] = annualFee, ["effectiveFrom"] = effectiveFrom };

    [Fact]
    public async Task AmendFee_records_the_new_fee_from_its_date_and_keeps_the_old_one_before()
    {
        var id = await GivenContract();

        var contract = await Post($"/api/contracts/{id}/fee-amendments", Amendment(190000.50m, "2022-02-01"), Admin);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            [ { "effectiveFrom": "2020-11-02", "annualFee": 180000.00 },
              { "effectiveFrom": "2022-02-01", "annualFee": 190000.50 } ]
            """), contract["fees"]), contract["fees"]!.ToJsonString());
        Assert.Equal(190000.50m, (decimal)contract["annualFee"]!); // in force today
        var before = await Get($"/api/contracts/{id}?asOf=2020-12-01T00:00:00Z", Admin, 404);
        Assert.Equal(404, (int)before["status"]!); // the contract was recorded only now
    }

    [Fact]
    public async Task AmendFee_repeated_is_a_success_that_stores_nothing()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/fee-amendments", Amendment(190000m, "2022-01-01"), Admin);
        var before = await Fixture.EventCountAsync();

        await Post($"/api/contracts/{id}/fee-amendments", Amendment(190000m, "2022-01-01"), Admin);

        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Theory]
    [InlineData("2020-11-01", "may not predate")]
    [InlineData("2019-01-01", "may not predate")]
    public async Task AmendFee_before_the_start_is_rejected_with_409(string effectiveFrom, string rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/fee-amendments", Amendment(1m, effectiveFrom), Admin, 409, "effectiveFrom", rule);
    }

    [Fact]
    public async Task AmendFee_after_the_end_is_rejected_with_409()
    {
        var id = await GivenContract(c => c.With("endsOn", "2023-12-31"));

        await Refused($"/api/contracts/{id}/fee-amendments", Amendment(1m, "2024-01-01"), Admin, 409, "effectiveFrom", "may not follow");
    }

    [Theory]
    [InlineData("0", "2022-01-01", "annualFee", "greater than")]
    [InlineData("-100", "2022-01-01", "annualFee", "greater than")]
    [InlineData("100.125", "2022-01-01", "annualFee", "two decimals")]
    [InlineData("null", "2022-01-01", "annualFee", "must not be empty")]
    [InlineData("100", null, "effectiveFrom", "must not be empty")]
    public async Task AmendFee_with_a_bad_field_is_rejected_with_400(string annualFee, string? effectiveFrom, string field, string rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/fee-amendments", Amendment(JsonNode.Parse(annualFee), effectiveFrom), Admin, 400, field, rule);
    }

    [Fact]
    public async Task AmendFee_on_an_unknown_contract_is_404()
    {
        await Refused("/api/contracts/nope/fee-amendments", Amendment(1m, "2022-01-01"), Admin, 404);
    }
}
