using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

public sealed class AuthTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task A_request_without_a_token_is_401_problem_details()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/contracts");
            s.StatusCodeShouldBe(401);
        });

        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401_and_stores_nothing()
    {
        await Refused("/api/contracts", ContractRequests.Sign(UniqueId("forged")), Tokens.Forged, 401);
    }

    [Fact]
    public async Task A_token_without_any_known_role_is_403()
    {
        await Get("/api/contracts", Tokens.For("janitor"), 403);
    }

    [Theory]
    [InlineData("finance")]
    [InlineData("auditor")]
    [InlineData("department")]
    [InlineData("service-centre")]
    public async Task Only_contract_admins_sign_contracts(string role)
    {
        await Refused("/api/contracts", ContractRequests.Sign(UniqueId("role")), Tokens.For(role), 403);
    }
}
