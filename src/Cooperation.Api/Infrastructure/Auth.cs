using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Cooperation.Api.Infrastructure;

public static class Roles
{
    public const string ContractAdmin = "contract-admin";
    public const string ServiceCentre = "service-centre";
    public const string Department = "department";
    public const string Finance = "finance";
    public const string Auditor = "auditor";

    /// <summary>For <c>[Authorize(Roles = …)]</c>: any one of the roles.</summary>
    public const string Any = $"{ContractAdmin},{ServiceCentre},{Department},{Finance},{Auditor}";

    public const string RoleClaim = "role";
    public const string MunicipalityClaim = "municipality";
    public const string SubjectClaim = "sub";
}

/// <summary>Who is calling, as far as the rules of this service care.</summary>
public sealed record Caller(string Subject, string? Municipality)
{
    public static Caller From(ClaimsPrincipal user)
    {
        var municipality = user.FindFirst(Roles.MunicipalityClaim)?.Value;
        return new Caller(
            user.FindFirst(Roles.SubjectClaim)?.Value ?? user.Identity?.Name ?? "unknown",
            string.IsNullOrWhiteSpace(municipality) ? null : municipality);
    }

    /// <summary>A caller bound to a municipality reaches only what that municipality is party to.</summary>
    public bool Reaches(params string[] parties) =>
        Municipality is null || parties.Contains(Municipality, StringComparer.Ordinal);
}

public static class AuthSetup
{
    /// <summary>
    /// JWT bearer, configured from <c>Authentication:Schemes:Bearer</c> (issuer, audiences, signing keys, or an
    /// authority): the section <c>dotnet user-jwts</c> fills in Development.
    /// </summary>
    public static IServiceCollection AddCooperationAuth(this IServiceCollection services)
    {
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();

        // Post-configure: the configuration binding replaces TokenValidationParameters wholesale.
        services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters.RoleClaimType = Roles.RoleClaim;
            options.TokenValidationParameters.NameClaimType = Roles.SubjectClaim;
        });
        services.AddAuthorization();
        return services;
    }
}
