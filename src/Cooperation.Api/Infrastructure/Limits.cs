using System.Collections;
using FluentValidation;
using FluentValidation.Validators;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The bounds of what the API takes and gives that no validator of a request body states (ADR 23). The OpenAPI
/// document states them from here, and the code that enforces them reads them from here.
/// </summary>
public static class Limits
{
    /// <summary>Events one stream holds at most; every list in a view of one stream is bounded by it.</summary>
    public const int MaxStreamEvents = 10_000;

    /// <summary>Items one page of a list answers at most.</summary>
    public const int MaxPage = 1_000;

    /// <summary>
    /// Items a list in an answer holds at most: a view of one stream lists at most one item per event besides what
    /// its first event brought (a contract's signing, up to 1,000 closure days); a quarter's credit note repeats the
    /// lines of at most 100 documents; lists of many streams come in pages of <see cref="MaxPage"/>.
    /// </summary>
    public const int MaxAnswerItems = 11_000;

    /// <summary>
    /// The longest text in an answer. What is stored passed a validator of at most 1,000 characters (the longest
    /// reason); identifiers, numbers and the service's own messages are shorter.
    /// </summary>
    public const int MaxAnswerText = 4_000;

    /// <summary>The longest origin (scheme, host and port) CORS may be opened to.</summary>
    public const int MaxOriginLength = 300;

    /// <summary>A query or path value no parameter of this API needs more of.</summary>
    public const int MaxParameterLength = 200;

    /// <summary>The longest query or path value each parameter takes, by name; others take <see cref="MaxParameterLength"/>.</summary>
    // Names ignore case, as the binding of query parameters does.
    public static readonly IReadOnlyDictionary<string, int> ParameterLengths = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["contractId"] = Rules.MaxIdLength,
        ["invoiceId"] = Rules.MaxIdLength,
        ["callId"] = Calls.CallIds.MaxLength,
        ["referralId"] = Referrals.ReferralAccess.MaxIdLength,
        ["appointmentId"] = Calls.CallIds.MaxLength,
        ["department"] = Rules.MaxIdLength,
        ["code"] = Rules.MaxIdLength,
        ["streamId"] = Referrals.ReferralAccess.MaxIdLength + 20, // "referral:" and the like before an id
        ["asOf"] = Instants.MaxLength,
        ["from"] = Instants.MaxLength,
        ["to"] = Instants.MaxLength,
        ["date"] = Instants.DateLength,
        ["year"] = 4,
        ["quarter"] = 1,
        ["version"] = 10,
        ["fromVersion"] = 10,
        ["limit"] = 10,
        ["offset"] = 10,
    };

    public static int MaxLengthOf(string parameter) =>
        ParameterLengths.TryGetValue(parameter, out var max) ? max : MaxParameterLength;

    /// <summary>At most <paramref name="max"/> items in a list; the OpenAPI document states it as <c>maxItems</c>.</summary>
    public static IRuleBuilderOptions<T, TList> MaxItems<T, TList>(this IRuleBuilder<T, TList> rule, int max) where TList : IEnumerable? =>
        rule.SetValidator(new MaxItemsValidator<T, TList>(max));
}

/// <summary>What the OpenAPI document reads of a <see cref="Limits.MaxItems{T,TList}"/> rule.</summary>
public interface IMaxItemsValidator
{
    int Max { get; }
}

public sealed class MaxItemsValidator<T, TList>(int max) : PropertyValidator<T, TList>, IMaxItemsValidator where TList : IEnumerable?
{
    public int Max => max;

    public override string Name => "MaxItemsValidator";

    public override bool IsValid(ValidationContext<T> context, TList value)
    {
        if (value is null)
        {
            return true;
        }

        var count = 0;
        foreach (var _ in value)
        {
            if (++count > max)
            {
                context.MessageFormatter.AppendArgument("MaxItems", max);
                return false;
            }
        }

        return true;
    }

    protected override string GetDefaultMessageTemplate(string errorCode) => "'{PropertyName}' must hold at most {MaxItems} items.";
}
