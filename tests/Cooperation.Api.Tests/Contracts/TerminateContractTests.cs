using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Contracts;

public sealed class TerminateContractTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    private static JsonObject EndsOn(string? date) => new() { ["endsOn"] = date };

    [Fact]
    public async Task TerminateContract_sets_the_last_day_and_the_status()
    {
        var id = await GivenContract();

        var contract = await Post($"/api/contracts/{id}/termination", EndsOn("2024-06-30"), Admin);

        Assert.Equal("terminated", (string)contract["status"]!);
        Assert.Equal("2024-06-30", (string)contract["endsOn"]!);
        Assert.Equal(2, (int)contract["version"]!);
    }

    [Fact]
    public async Task TerminateContract_repeated_is_a_success_and_with_another_date_a_409()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/termination", EndsOn("2024-06-30"), Admin);
        var before = await Fixture.EventCountAsync();

        await Post($"/api/contracts/{id}/termination", EndsOn("2024-06-30"), Admin);
        Assert.Equal(before, await Fixture.EventCountAsync());

        await Refused($"/api/contracts/{id}/termination", EndsOn("2024-12-31"), Admin, 409, "endsOn", "already terminated");
    }

    [Fact]
    public async Task A_terminated_contract_takes_no_change_dated_past_its_end()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/termination", EndsOn("2024-06-30"), Admin);

        await Refused($"/api/contracts/{id}/fee-amendments", """{"annualFee":1,"effectiveFrom":"2024-07-01"}""", Admin, 409, "effectiveFrom", "terminated");
        await Refused($"/api/contracts/{id}/kpi-settings", """{"serviceLevelSeconds":20,"effectiveFrom":"2024-07-01"}""", Admin, 409, "effectiveFrom", "terminated");
        await Refused($"/api/contracts/{id}/service-lines/buergerbuero/removal", """{"endsOn":"2024-07-01"}""", Admin, 409, "endsOn", "terminated");

        // A change dated inside the term is still recorded (e.g. a fee amended back into the term).
        await Post($"/api/contracts/{id}/fee-amendments", JsonNode.Parse("""{"annualFee":1,"effectiveFrom":"2024-06-30"}""")!, Admin);
    }

    [Theory]
    [InlineData("2020-11-01", 409, "may not predate")]
    [InlineData(null, 400, "must not be empty")]
    [InlineData("not-a-date", 400, "date")]
    public async Task TerminateContract_with_a_bad_date_is_refused(string? date, int status, string rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/termination", EndsOn(date), Admin, status, "endsOn", rule);
    }

    [Fact]
    public async Task TerminateContract_cannot_extend_a_fixed_term()
    {
        var id = await GivenContract(c => c.With("endsOn", "2023-12-31"));

        await Refused($"/api/contracts/{id}/termination", EndsOn("2024-12-31"), Admin, 409, "endsOn", "may not follow");
    }
}
