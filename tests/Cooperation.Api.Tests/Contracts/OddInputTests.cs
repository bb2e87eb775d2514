using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Contracts;

public sealed class OddInputTests(AppFixture fixture) : ApiTest(fixture)
{
    public static TheoryData<string> OddIds => new()
    {
        new string('x', 5000),
        "%F0%9F%98%80",
        "..%2F..%2Fetc",
        "contract%3Ax",
        "%C3%28",
    };

    [Theory]
    [MemberData(nameof(OddIds))]
    public async Task Odd_contract_ids_in_the_path_are_404_not_500(string id)
    {
        await Get($"/api/contracts/{id}", Tokens.Auditor, 404);
        await Refused($"/api/contracts/{id}/fee-amendments", JsonNode.Parse("""{"annualFee":1,"effectiveFrom":"2022-01-01"}""")!, Tokens.ContractAdmin(), 404);
    }

    [Theory]
    [InlineData("/api/invoices")]
    [InlineData("/api/referrals")]
    [InlineData("/api/appointments")]
    public async Task Odd_contract_ids_in_a_lists_query_are_400_not_500(string list)
    {
        foreach (var id in new[] { "%C3%28", "Not%20Kebab" })
        {
            await RefusedGet($"{list}?contractId={id}", Tokens.Auditor, 400, "contractId", "kebab-case");
        }

        await RefusedGet($"{list}?contractId={new string('x', 5000)}", Tokens.Auditor, 400, "contractId", "at most 100 characters");

        // Refused before the list reads it, as in every query parameter.
        foreach (var id in new[] { "%00", "a%00b" })
        {
            await RefusedGet($"{list}?contractId={id}", Tokens.Auditor, 400, "contractId", "control characters");
        }
    }

    [Theory]
    [InlineData("provider.name")]
    [InlineData("client.city")]
    [InlineData("provider.contactName")]
    public async Task Control_characters_in_text_are_400_not_500(string field)
    {
        var body = ContractRequests.Sign(UniqueId("nul")).With(field, "Stadt\u0000Bochum\u0007");

        await Refused("/api/contracts", body, Tokens.ContractAdmin(), 400, field, "control characters");
    }
}
