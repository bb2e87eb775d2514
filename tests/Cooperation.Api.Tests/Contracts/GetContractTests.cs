using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Contracts;

public sealed class GetContractTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    private async Task<string> GivenContractWithAmendment()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/fee-amendments", JsonNode.Parse("""{"annualFee":200000,"effectiveFrom":"2022-01-01"}""")!, Admin);
        return id;
    }

    [Fact]
    public async Task GetContract_at_a_version_shows_the_state_after_that_event()
    {
        var id = await GivenContractWithAmendment();

        var first = await Get($"/api/contracts/{id}?version=1", Tokens.Auditor);
        var second = await Get($"/api/contracts/{id}?version=2", Tokens.Auditor);

        Assert.Equal(1, (int)first["version"]!);
        Assert.Single(first["fees"]!.AsArray());
        Assert.Equal(2, (int)second["version"]!);
        Assert.Equal(2, second["fees"]!.AsArray().Count);
        Assert.True(JsonNode.DeepEquals(second, await Get($"/api/contracts/{id}", Tokens.Auditor)));
    }

    [Fact]
    public async Task GetContract_as_of_an_instant_shows_only_events_recorded_by_then()
    {
        var id = await GivenContractWithAmendment();
        await using var session = Fixture.Store.QuerySession();
        var events = await session.Events.FetchStreamAsync($"contract:{id}");
        var signedAt = events[0].Timestamp;
        var amendedAt = events[1].Timestamp;

        var atSigning = await Get($"/api/contracts/{id}?asOf={Uri.EscapeDataString(signedAt.ToString("O"))}", Tokens.Auditor);
        var atAmendment = await Get($"/api/contracts/{id}?asOf={Uri.EscapeDataString(amendedAt.ToString("O"))}", Tokens.Auditor);
        await Get($"/api/contracts/{id}?asOf={Uri.EscapeDataString(signedAt.AddSeconds(-1).ToString("O"))}", Tokens.Auditor, 404);

        Assert.Equal(1, (int)atSigning["version"]!);
        Assert.Equal(2, (int)atAmendment["version"]!);
    }

    [Theory]
    [InlineData("asOf=yesterday", "asOf")]
    [InlineData("asOf=2021-04-01T10:00:00", "asOf")]
    [InlineData("version=0", "version")]
    [InlineData("version=-1", "version")]
    [InlineData("version=two", "version")]
    [InlineData("version=1&asOf=2021-04-01T10:00:00Z", "$")]
    public async Task GetContract_with_a_malformed_query_is_400_naming_the_parameter(string query, string field)
    {
        var id = await GivenContract();

        var problem = await Get($"/api/contracts/{id}?{query}", Tokens.Auditor, 400);

        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task GetContract_at_a_version_beyond_the_latest_is_404()
    {
        var id = await GivenContract();

        var problem = await Get($"/api/contracts/{id}?version=7", Tokens.Auditor, 404);

        Assert.Contains("latest is 1", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetContract_of_an_unknown_contract_is_404_problem_details()
    {
        var problem = await Get("/api/contracts/no-such-thing", Tokens.Auditor, 404);

        Assert.Equal(404, (int)problem["status"]!);
    }

    [Theory]
    [InlineData("castrop-rauxel", 200)]
    [InlineData("bochum", 200)]
    [InlineData("dortmund", 404)]
    public async Task GetContract_by_a_municipality_sees_only_contracts_it_is_party_to(string municipality, int status)
    {
        var id = await GivenContract();

        await Get($"/api/contracts/{id}", Tokens.For("finance", municipality), status);
        await Get($"/api/contracts/{id}?version=1", Tokens.For("finance", municipality), status);
    }

    [Fact]
    public async Task ListContracts_shows_a_municipality_only_its_own()
    {
        var client = UniqueId("city");
        var mine = await GivenContract(c => c.With("client.id", client));
        await GivenContract();

        var list = (await Get("/api/contracts", Tokens.For("department", client))).AsArray();

        Assert.Equal([mine], list.Select(c => (string)c!["contractId"]!));
    }

    [Theory]
    [InlineData("contract-admin")]
    [InlineData("service-centre")]
    [InlineData("department")]
    [InlineData("finance")]
    [InlineData("auditor")]
    public async Task GetContract_is_open_to_every_role(string role)
    {
        var id = await GivenContract();

        await Get($"/api/contracts/{id}", Tokens.For(role));
    }
}
