using System.Linq.Expressions;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using FluentValidation;
using Marten;

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
            .Must((x, id) => id is null || OpensReferral(x)).WithMessage("'referralId' is only given with the outcome 'referred' or 'callback-promised'.");
    }

    /// <summary>Starts the referral a completion (or a correction) opens, in the caller's session and so its transaction.</summary>
    public static void OpenReferral(IDocumentSession session, Call call, string referralId, string department, CallOutcome outcome, DateTimeOffset completedAt) =>
        session.Events.StartStream<Referral>(StreamKeys.Referral(referralId),
            new ReferralOpened(referralId, call.CallId, call.ContractId, call.ServiceLine, department, outcome, completedAt));
}
