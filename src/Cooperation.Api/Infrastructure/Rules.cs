using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;

namespace Cooperation.Api.Infrastructure;

/// <summary>Input rules that several features share.</summary>
public static partial class Rules
{
    public const int MaxIdLength = 100;

    private const string KebabCaseRule = "must be kebab-case: lower-case letters and digits separated by single hyphens.";

    // \z, not $: .NET's $ also matches before a final line break, which text may hold (ADR 23).
    [GeneratedRegex(@"^[a-z0-9]+(-[a-z0-9]+)*\z")]
    public static partial Regex KebabCase();

    /// <summary>
    /// A list's <c>contractId</c> query parameter: required and kebab-case (what signing allows), so that odd text
    /// such as a NUL never reaches the database. Adds its rule to <paramref name="errors"/> when it is not.
    /// </summary>
    public static void RequireContractId(string? contractId, string why, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(contractId))
        {
            errors["contractId"] = [$"'contractId' is required: {why}."];
        }
        else if (contractId.Length > MaxIdLength || !KebabCase().IsMatch(contractId))
        {
            errors["contractId"] = ["'contractId' " + KebabCaseRule];
        }
    }

    /// <summary>A year in a path or query (2000–2200); a malformed one adds its rule to <paramref name="errors"/> and gives null.</summary>
    public static int? ParseYear(string year, IDictionary<string, string[]> errors)
    {
        if (int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 2000 and <= 2200)
        {
            return y;
        }

        errors["year"] = ["'year' must be a year between 2000 and 2200."];
        return null;
    }

    /// <summary>A year and a quarter of it (1 to 4) from a path, or null with the errors that say why.</summary>
    public static Quarter? ParseQuarter(string year, string quarter, IDictionary<string, string[]> errors)
    {
        var y = ParseYear(year, errors);
        if (!int.TryParse(quarter, NumberStyles.None, CultureInfo.InvariantCulture, out var q) || q is < 1 or > 4)
        {
            errors["quarter"] = ["'quarter' must be 1, 2, 3 or 4."];
            return null;
        }

        return y is null ? null : new Quarter(y.Value, q);
    }

    /// <summary>
    /// A page of a list: <c>limit</c> (1 to <paramref name="max"/>, default <paramref name="max"/>) items after
    /// <c>offset</c> (default 0). Parsed here, not bound as numbers: a binder would silently drop one that is no number.
    /// </summary>
    public static (int Skip, int Take) ParsePage(string? limit, string? offset, int max, IDictionary<string, string[]> errors)
    {
        var take = Whole(limit);
        if (limit is not null && (take is null || take < 1 || take > max))
        {
            errors["limit"] = [$"'limit' must be a whole number between 1 and {max}."];
        }

        var skip = Whole(offset);
        if (offset is not null && skip is not >= 0)
        {
            errors["offset"] = ["'offset' must be a whole number, not negative."];
        }

        return (skip ?? 0, take ?? max);
    }

    private static int? Whole(string? value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;

    /// <summary>Money: at most two decimals, as the API contract fixes.</summary>
    public static bool HasAtMostTwoDecimals(decimal value) => decimal.Round(value, 2) == value;

    public static IRuleBuilderOptions<T, string?> KebabCaseId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(MaxIdLength)
            .Matches(KebabCase()).WithMessage("'{PropertyName}' " + KebabCaseRule);

    public static IRuleBuilderOptions<T, decimal?> PositiveMoney<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.NotNull()
            .GreaterThan(0m)
            .Must(v => v is null || HasAtMostTwoDecimals(v.Value)).WithMessage("'{PropertyName}' must have at most two decimals.");

    /// <summary>Business dates stay in a range where calendar arithmetic is meaningful.</summary>
    public static IRuleBuilderOptions<T, DateOnly?> PlausibleDate<T>(this IRuleBuilder<T, DateOnly?> rule) =>
        rule.Must(d => d is null || (d.Value.Year >= 2000 && d.Value.Year <= 2200))
            .WithMessage("'{PropertyName}' must be a date between 2000 and 2200.");

    public static IRuleBuilderOptions<T, DateTimeOffset?> PlausibleInstant<T>(this IRuleBuilder<T, DateTimeOffset?> rule) =>
        rule.Must(i => i is null || (i.Value.Year >= 2000 && i.Value.Year <= 2200))
            .WithMessage("'{PropertyName}' must be an instant between 2000 and 2200.");

    /// <summary>A bank's or payer's reference: optional, but never blank, at most 140 characters (SEPA's remittance field).</summary>
    public static IRuleBuilderOptions<T, string?> OptionalReference<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(140).Must(r => r is null || r.Trim().Length > 0)
            .WithMessage("'{PropertyName}' must not be blank: leave it out instead.");
}
