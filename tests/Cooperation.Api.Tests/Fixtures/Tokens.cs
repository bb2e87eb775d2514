using Cooperation.Api.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>
/// Mints JWTs the way <c>dotnet user-jwts</c> does (same issuer, audience, claim names), signed with a key
/// of the test run that the host is configured to trust.
/// </summary>
public static class Tokens
{
    private const string Issuer = "dotnet-user-jwts";
    private const string Audience = "http://localhost:5000";
    private static readonly byte[] Key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

    /// <summary>The settings (environment variables) under which a host trusts these tokens.</summary>
    public static IReadOnlyDictionary<string, string> HostSettings { get; } = new Dictionary<string, string>
    {
        ["Authentication__Schemes__Bearer__ValidIssuer"] = Issuer,
        ["Authentication__Schemes__Bearer__ValidAudiences__0"] = Audience,
        ["Authentication__Schemes__Bearer__SigningKeys__0__Issuer"] = Issuer,
        ["Authentication__Schemes__Bearer__SigningKeys__0__Value"] = Convert.ToBase64String(Key),
        ["Authentication__Schemes__Bearer__SigningKeys__0__Length"] = Key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Makes the hosts of this process (and the processes it starts) trust these tokens.</summary>
    public static void ConfigureHost()
    {
        foreach (var (name, value) in HostSettings)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public static string For(string role, string? municipality = null, string subject = "test-user") =>
        For([role], municipality, subject);

    public static string For(string[] roles, string? municipality = null, string subject = "test-user", byte[]? key = null, DateTime? expires = null) =>
        Minted(token =>
        {
            token.Claims["sub"] = subject;
            if (municipality is not null)
            {
                token.Claims["municipality"] = municipality;
            }

            token.Claims["role"] = roles;
            token.Expires = expires ?? token.Expires;
            token.NotBefore = expires is { } end && end < DateTime.UtcNow ? end.AddHours(-1) : null;
            token.IssuedAt = expires is { } ended && ended < DateTime.UtcNow ? ended.AddHours(-1) : null;
            if (key is not null)
            {
                token.SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256);
            }
        });

    /// <summary>
    /// A token of subject <c>test-user</c> with no role, valid for an hour and signed with the trusted key, as
    /// <paramref name="change"/> leaves it: no <c>Expires</c> makes one without <c>exp</c>, no signing credentials an
    /// unsigned one (<c>alg: none</c>).
    /// </summary>
    public static string Minted(Action<SecurityTokenDescriptor> change)
    {
        var token = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "test-user" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Key), SecurityAlgorithms.HmacSha256),
        };
        change(token);
        // The handler would give a token without an expiry one of an hour.
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = token.Expires is not null }.CreateToken(token);
    }

    public static string ContractAdmin(string? municipality = null) => For(Roles.ContractAdmin, municipality, "alice");

    public static string Auditor => For(Roles.Auditor, subject: "audrey");

    /// <summary>A well-formed token signed with a key the host does not trust.</summary>
    public static string Forged => For([Roles.ContractAdmin], key: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

}
