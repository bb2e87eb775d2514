using System.Text.RegularExpressions;

namespace Cooperation.Api.Contracts;

/// <summary>ISO 7064 MOD 97-10, used by IBANs and by the Leitweg-ID's check digits.</summary>
public static class Mod97
{
    /// <summary>Letters count as 10–35, digits as themselves; the whole number modulo 97 must be 1.</summary>
    public static bool IsValid(string alphanumeric) => Remainder(alphanumeric) == 1;

    /// <summary>The two check digits to append to <paramref name="alphanumeric"/>.</summary>
    public static int CheckDigits(string alphanumeric) => 98 - Remainder(alphanumeric + "00");

    private static int Remainder(string alphanumeric)
    {
        var remainder = 0;
        foreach (var c in alphanumeric)
        {
            int value = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'A' and <= 'Z' => c - 'A' + 10,
                >= 'a' and <= 'z' => c - 'a' + 10,
                _ => throw new ArgumentException($"'{c}' is not alphanumeric.", nameof(alphanumeric)),
            };
            remainder = value < 10 ? ((remainder * 10) + value) % 97 : ((remainder * 100) + value) % 97;
        }

        return remainder;
    }
}

/// <summary>
/// The Leitweg-ID addresses e-invoices to German public bodies (BT-10 in XRechnung):
/// coarse address (2–12 digits), optional fine address (up to 30 letters or digits), two check digits
/// over both by ISO 7064 MOD 97-10, joined by hyphens.
/// </summary>
public static partial class LeitwegId
{
    [GeneratedRegex(@"^(?<coarse>[0-9]{2,12})(-(?<fine>[A-Za-z0-9]{1,30}))?-(?<check>[0-9]{2})\z")]
    private static partial Regex Shape();

    public static bool HasValidShape(string? value) => value is not null && Shape().IsMatch(value);

    public static bool HasValidCheckDigits(string? value)
    {
        var match = value is null ? null : Shape().Match(value);
        if (match is not { Success: true })
        {
            return false;
        }

        return Mod97.IsValid(match.Groups["coarse"].Value + match.Groups["fine"].Value + match.Groups["check"].Value);
    }
}

public static partial class Iban
{
    [GeneratedRegex(@"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}\z")]
    private static partial Regex Shape();

    /// <summary>Spaces are allowed on input and removed before storing.</summary>
    public static string Normalize(string value) => value.Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    public static bool IsValid(string? value)
    {
        if (value is null)
        {
            return false;
        }

        var iban = Normalize(value);
        return Shape().IsMatch(iban) && Mod97.IsValid(iban[4..] + iban[..4]);
    }
}
