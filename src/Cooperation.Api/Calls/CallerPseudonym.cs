using System.Security.Cryptography;
using System.Text;
using PhoneNumbers;

namespace Cooperation.Api.Calls;

/// <summary>
/// A caller is stored only as HMAC-SHA256 of the number in E.164 under a server secret, so repeat calls
/// can be recognised while the number itself never reaches the database or a log line.
/// </summary>
public sealed class CallerPseudonym
{
    public const string KeySetting = "Cooperation:CallerHashKey";

    /// <summary>No way of writing a phone number needs more.</summary>
    public const int MaxInputLength = 40;

    /// <summary>Development and tests only; Production refuses to start without a key of its own.</summary>
    public const string DevelopmentKey = "development-only-caller-hash-key-do-not-use-in-production";

    private const int MinimumKeyLength = 32;
    private readonly byte[] _key;

    public CallerPseudonym(IConfiguration configuration, IHostEnvironment environment)
    {
        var key = configuration[KeySetting];
        if (string.IsNullOrEmpty(key))
        {
            if (environment.IsProduction())
            {
                throw new InvalidOperationException(
                    $"Set {KeySetting} (environment variable Cooperation__CallerHashKey) to a secret of at least {MinimumKeyLength} characters: callers are pseudonymised with it.");
            }

            key = DevelopmentKey;
        }

        if (key.Length < MinimumKeyLength)
        {
            throw new InvalidOperationException($"{KeySetting} must have at least {MinimumKeyLength} characters.");
        }

        _key = Encoding.UTF8.GetBytes(key);
    }

    /// <summary>The number in E.164 ("+492349100"), read as German where it has no country code.</summary>
    public static bool TryNormalize(string? raw, out string e164)
    {
        e164 = string.Empty;
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > MaxInputLength)
        {
            return false;
        }

        try
        {
            var util = PhoneNumberUtil.GetInstance();
            var number = util.Parse(raw, "DE");
            if (!util.IsValidNumber(number))
            {
                return false;
            }

            e164 = util.Format(number, PhoneNumberFormat.E164);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    public string Hash(string e164) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(e164)));
}

/// <summary>Resolves the pseudonymiser when the service starts, so a missing production key stops it at once.</summary>
public sealed class CallerKeyCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<CallerPseudonym>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
