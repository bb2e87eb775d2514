using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

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

        // Post-configure: the configuration binding replaces TokenValidationParameters wholesale, and validates the
        // issuer or the audience only when they are configured. Here everything is validated, in every environment.
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).PostConfigure<IConfiguration>((options, configuration) =>
        {
            options.MapInboundClaims = false;
            var parameters = options.TokenValidationParameters;
            parameters.RoleClaimType = Roles.RoleClaim;
            parameters.NameClaimType = Roles.SubjectClaim;
            parameters.ValidateIssuer = true;
            parameters.ValidateAudience = true;
            parameters.ValidateLifetime = true;
            parameters.ValidateIssuerSigningKey = true;
            parameters.RequireExpirationTime = true;
            parameters.RequireSignedTokens = true;
            parameters.ClockSkew = configuration.GetValue(ClockSkewSetting, DefaultClockSkew);
            options.Events ??= new JwtBearerEvents();
            var before = options.Events.OnTokenValidated;
            options.Events.OnTokenValidated = async context =>
            {
                await before(context);
                if (context.Result is null)
                {
                    await RequireWhoAndWhere(context);
                }
            };
        });
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).PostConfigure<IHostEnvironment>((options, environment) =>
            options.IncludeErrorDetails = !environment.IsProduction()); // why a token failed helps a developer, and a forger
        services.AddHostedService<TokenIssuerCheck>(); // first of the checks at start: nothing else is worth starting without it
        services.AddAuthorization();
        return services;
    }

    /// <summary>
    /// A token must say who (its subject is the user of every event it writes and its rate-limit bucket), and a
    /// municipality claim must name one: a blank one would otherwise bind to none, which is to reach everything.
    /// </summary>
    private static Task RequireWhoAndWhere(TokenValidatedContext context)
    {
        var user = context.Principal!;
        if (user.FindFirst(Roles.SubjectClaim)?.Value is not { Length: > 0 and <= MaxSubjectLength } subject || string.IsNullOrWhiteSpace(subject))
        {
            context.Fail($"The token has no subject ('sub') of 1 to {MaxSubjectLength} characters.");
        }
        else if (user.FindAll(Roles.MunicipalityClaim).Any(c => string.IsNullOrWhiteSpace(c.Value)) ||
                 (context.SecurityToken is JsonWebToken token && token.TryGetPayloadValue<object>(Roles.MunicipalityClaim, out _) &&
                  !user.HasClaim(c => c.Type == Roles.MunicipalityClaim)))
        {
            // Also an empty list: it gives no claim at all, which would read as bound to none.
            context.Fail("The token's 'municipality' is blank.");
        }

        return Task.CompletedTask;
    }

    /// <summary>The longest subject taken: it is stored with every event the token writes (ADR 23).</summary>
    public const int MaxSubjectLength = 200;

    public const string ClockSkewSetting = "Cooperation:TokenClockSkew";

    /// <summary>How far a token's times may be off this server's clock (the library's default is 5 minutes).</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);
}

/// <summary>
/// In Production, refuses to start without a token issuer (an OpenID Connect authority, or an issuer with its signing
/// keys) and an audience: without them every request would be 401, or, worse, tokens meant for others accepted.
/// </summary>
public sealed class TokenIssuerCheck(IOptionsMonitor<JwtBearerOptions> options, IHostEnvironment environment) : IHostedService
{
    private const string Section = "Authentication:Schemes:Bearer";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsProduction() && Missing(options.Get(JwtBearerDefaults.AuthenticationScheme)) is { } missing)
        {
            throw new InvalidOperationException($"Set {missing}: in Production every token is checked against them.");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The settings still missing, as an operator sets them, or null.</summary>
    internal static string? Missing(JwtBearerOptions options)
    {
        var parameters = options.TokenValidationParameters;
        var issuer = !string.IsNullOrEmpty(options.Authority) || (
            (!string.IsNullOrEmpty(parameters.ValidIssuer) || parameters.ValidIssuers?.Any() == true) &&
            (parameters.IssuerSigningKey is not null || parameters.IssuerSigningKeys?.Any() == true));
        var audience = !string.IsNullOrEmpty(options.Audience) || !string.IsNullOrEmpty(parameters.ValidAudience) ||
            parameters.ValidAudiences?.Any() == true;
        var missing = new List<string>();
        if (!issuer)
        {
            missing.Add($"{Section}:Authority (environment variable Authentication__Schemes__Bearer__Authority), or {Section}:ValidIssuer and {Section}:SigningKeys");
        }

        if (!audience)
        {
            missing.Add($"{Section}:ValidAudiences (environment variable Authentication__Schemes__Bearer__ValidAudiences__0)");
        }

        return missing.Count == 0 ? null : string.Join(", and ", missing);
    }
}
