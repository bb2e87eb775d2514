using Cooperation.Api.Tests.Fixtures;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

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

    [Fact]
    public async Task A_token_with_a_subject_but_no_role_claim_is_403()
    {
        await Get("/api/contracts", Tokens.Minted(_ => { }), 403);
    }

    private static readonly Dictionary<string, Action<SecurityTokenDescriptor>> Invalid = new()
    {
        ["unsigned (alg none)"] = t => t.SigningCredentials = null,
        ["of another issuer"] = t => t.Issuer = "https://login.example.org",
        ["for another audience"] = t => t.Audience = "https://other-service.example.org",
        ["expired a minute ago"] = t => (t.IssuedAt, t.NotBefore, t.Expires) = (DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddMinutes(-1)),
        ["valid only in a minute"] = t => t.NotBefore = DateTime.UtcNow.AddMinutes(1),
        ["without an expiry"] = t => t.Expires = null,
        ["without a subject"] = t => t.Claims.Remove("sub"),
        ["with a blank subject"] = t => t.Claims["sub"] = " ",
        ["with a subject too long to store"] = t => t.Claims["sub"] = new string('s', Cooperation.Api.Infrastructure.AuthSetup.MaxSubjectLength + 1),
        ["with a blank municipality"] = t => t.Claims["municipality"] = "",
        ["with an empty list of municipalities"] = t => t.Claims["municipality"] = Array.Empty<string>(),
    };

    [Theory]
    [InlineData("unsigned (alg none)")]
    [InlineData("of another issuer")]
    [InlineData("for another audience")]
    [InlineData("expired a minute ago")] // beyond the 30 s of clock skew allowed
    [InlineData("valid only in a minute")]
    [InlineData("without an expiry")]
    [InlineData("without a subject")] // every event it wrote would say "unknown", and it would share its address's bucket
    [InlineData("with a blank subject")]
    [InlineData("with a subject too long to store")]
    [InlineData("with a blank municipality")] // bound to no municipality would be to reach every contract
    [InlineData("with an empty list of municipalities")]
    public async Task A_token_that_is_not_valid_is_401_and_stores_nothing(string token)
    {
        var minted = Tokens.Minted(t =>
        {
            t.Claims["role"] = new[] { "contract-admin" };
            Invalid[token](t);
        });

        await Refused("/api/contracts", ContractRequests.Sign(UniqueId("invalid")), minted, 401);
    }

    [Fact]
    public async Task A_token_expired_within_the_allowed_clock_skew_is_still_taken()
    {
        await Get("/api/contracts", Tokens.For(["auditor"], expires: DateTime.UtcNow.AddSeconds(-5)), 200);
    }

    [Fact]
    public void Issuer_audience_lifetime_and_signature_are_always_validated()
    {
        var parameters = Host.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>()
            .Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;

        Assert.True(parameters.ValidateIssuer);
        Assert.True(parameters.ValidateAudience);
        Assert.True(parameters.ValidateLifetime);
        Assert.True(parameters.ValidateIssuerSigningKey);
        Assert.True(parameters.RequireExpirationTime);
        Assert.True(parameters.RequireSignedTokens);
        Assert.Equal(TimeSpan.FromSeconds(30), parameters.ClockSkew);
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
