using System.Linq.Expressions;
using Cooperation.Api.Referrals;
using Cooperation.Api.Infrastructure;
using FluentValidation;

namespace Cooperation.Api.Calls;

/// <summary>Rules shared by the completion, the correction and the bulk import of calls.</summary>
public static class CallRules
{
    /// <summary>The topic is a short note, not a record of the conversation (domain §5: erasable, kept short).</summary>
    public const int MaxTopicLength = 200;

    public const string DepartmentOnlyWithReferral = "'department' is only given with the outcome 'referred' or 'callback-promised'.";

    /// <summary>
    /// A department is named exactly when the outcome hands the citizen to one; a referral id only then.
    /// </summary>
    public static void DepartmentAndReferral<T>(
        AbstractValidator<T> validator,
        Expression<Func<T, CallOutcome?>> outcome,
        Expression<Func<T, string?>> department,
        Expression<Func<T, string?>> referralId)
    {
        var outcomeOf = outcome.Compile();
        bool OpensReferral(T x) => outcomeOf(x)?.OpensReferral() == true;

        validator.RuleFor(department)
            .NotEmpty().When(OpensReferral).WithMessage("'department' is required with the outcome 'referred' or 'callback-promised': it names who answers the citizen.")
            .KebabCaseId();
        validator.RuleFor(department)
            .Null().When(x => outcomeOf(x) is { } o && !o.OpensReferral()).WithMessage(DepartmentOnlyWithReferral);
        validator.RuleFor(referralId)
            .Must(id => id is null || ReferralAccess.IsValidId(id)).WithMessage(ReferralAccess.IdRule)
            .Must((x, id) => id is null || OpensReferral(x)).WithMessage("'referralId' is only given with the outcome 'referred' or 'callback-promised'.")
            .MaximumLength(ReferralAccess.MaxIdLength);
    }
}
