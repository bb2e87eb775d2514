using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// The built service started in Production as an operator starts it refuses to start without a setting it cannot do
/// without, and names it. The tests' token settings come with this process's environment (Tokens.ConfigureHost); an
/// empty value takes one away.
/// </summary>
public sealed class ProductionStartTests(AppFixture fixture) : ApiTest(fixture)
{
    private const string Bearer = "Authentication__Schemes__Bearer__";
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(1);

    private static Dictionary<string, string> Production(params string[] without)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Cooperation__CallerHashKey"] = "a-caller-hash-key-of-the-production-test-run",
            // Set up by nobody: a service that got past its checks would fail here, not start on the tests' data.
            ["Cooperation__Schema"] = "never_" + Guid.NewGuid().ToString("N")[..10],
        };
        foreach (var name in without)
        {
            environment[name] = string.Empty;
        }

        return environment;
    }

    [Fact]
    public async Task Without_a_token_issuer_and_audience_it_refuses_to_start_naming_the_settings()
    {
        var output = await AppProcess.RefusedStartAsync(Production(
            Bearer + "ValidIssuer", Bearer + "ValidAudiences__0", Bearer + "SigningKeys__0__Issuer", Bearer + "SigningKeys__0__Value",
            Bearer + "SigningKeys__0__Length"), Within);

        Assert.Contains("Set Authentication:Schemes:Bearer:Authority", output, StringComparison.Ordinal);
        Assert.Contains("Authentication:Schemes:Bearer:ValidIssuer and Authentication:Schemes:Bearer:SigningKeys", output, StringComparison.Ordinal);
        Assert.Contains("Authentication:Schemes:Bearer:ValidAudiences", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_issuer_and_its_keys_but_no_audience_it_refuses_to_start_naming_the_audience()
    {
        var output = await AppProcess.RefusedStartAsync(Production(Bearer + "ValidAudiences__0"), Within);

        Assert.Contains("Set Authentication:Schemes:Bearer:ValidAudiences", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Authority", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_caller_hash_key_it_refuses_to_start_naming_it()
    {
        var output = await AppProcess.RefusedStartAsync(Production("Cooperation__CallerHashKey"), Within);

        Assert.Contains("Set Cooperation:CallerHashKey", output, StringComparison.Ordinal);
    }
}
