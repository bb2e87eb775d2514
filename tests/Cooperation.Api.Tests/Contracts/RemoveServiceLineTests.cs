using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Contracts;

public sealed class RemoveServiceLineTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    private static JsonObject Until(string? endsOn) => new() { ["endsOn"] = endsOn };

    [Fact]
    public async Task RemoveServiceLine_ends_the_line_on_its_last_day()
    {
        var id = await GivenContract();

        var contract = await Post($"/api/contracts/{id}/service-lines/buergerbuero/removal", Until("2022-03-31"), Admin);

        Assert.Equal("2022-03-31", (string)contract["serviceLines"]![0]!["endsOn"]!);
        Assert.Equal(2, (int)contract["version"]!);
    }

    [Fact]
    public async Task RemoveServiceLine_repeated_is_a_success_and_with_another_date_a_409()
    {
        var id = await GivenContract();
        var url = $"/api/contracts/{id}/service-lines/buergerbuero/removal";
        await Post(url, Until("2022-03-31"), Admin);
        var before = await Fixture.EventCountAsync();

        await Post(url, Until("2022-03-31"), Admin);
        Assert.Equal(before, await Fixture.EventCountAsync());

        await Refused(url, Until("2022-06-30"), Admin, 409, "endsOn", "already removed");
    }

    [Fact]
    public async Task RemoveServiceLine_of_an_unknown_code_is_404()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines/kfz/removal", Until("2022-03-31"), Admin, 404);
    }

    [Fact]
    public async Task RemoveServiceLine_before_the_line_started_is_rejected_with_409()
    {
        var id = await GivenContract();
        await Post($"/api/contracts/{id}/service-lines",
            new JsonObject { ["code"] = "ordnungswesen", ["name"] = "Ordnungswesen", ["from"] = "2021-01-01" }, Admin);

        await Refused($"/api/contracts/{id}/service-lines/ordnungswesen/removal", Until("2020-12-31"), Admin, 409, "endsOn", "may not precede");
    }

    [Fact]
    public async Task RemoveServiceLine_without_a_date_is_rejected_with_400()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/service-lines/buergerbuero/removal", Until(null), Admin, 400, "endsOn", "must not be empty");
    }
}
