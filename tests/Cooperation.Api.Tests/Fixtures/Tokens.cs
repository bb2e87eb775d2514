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

    public static void ConfigureHost()
    {
        const string section = "Authentication__Schemes__Bearer__";
        Environment.SetEnvironmentVariable(section + "ValidIssuer", Issuer);
        Environment.SetEnvironmentVariable(section + "ValidAudiences__0", Audience);
        Environment.SetEnvironmentVariable(section + "SigningKeys__0__Issuer", Issuer);
        Environment.SetEnvironmentVariable(section + "SigningKeys__0__Value", Convert.ToBase64String(Key));
        Environment.SetEnvironmentVariable(section + "SigningKeys__0__Length", Key.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string For(string role, string? municipality = null, string subject = "test-user") =>
        For([role], municipality, subject);

    public static string For(string[] roles, string? municipality = null, string subject = "test-user", byte[]? key = null, DateTime? expires = null)
    {
        var claims = new Dictionary<string, object> { ["sub"] = subject, ["role"] = roles };
        if (municipality is not null)
        {
            claims["municipality"] = municipality;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            NotBefore = expires is { } end && end < DateTime.UtcNow ? end.AddHours(-1) : null,
            IssuedAt = expires is { } ended && ended < DateTime.UtcNow ? ended.AddHours(-1) : null,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? Key), SecurityAlgorithms.HmacSha256),
        });
    }

    public static string ContractAdmin(string? municipality = null) => For(Roles.ContractAdmin, municipality, "alice");

    public static string Auditor => For(Roles.Auditor, subject: "audrey");

    /// <summary>A well-formed token signed with a key the host does not trust.</summary>
    public static string Forged => For([Roles.ContractAdmin], key: System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

}
