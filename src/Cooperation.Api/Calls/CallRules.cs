using System.Linq.Expressions;
using Cooperation.Api.Appointments;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Mvc;

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

    /// <summary>
    /// An appointment booked in a call settles it: such a call is completed, and stays, as 'appointment-booked'.
    /// A named appointment must be one of this call's, or not yet known (the appointment system may report it later).
    /// </summary>
    public static async Task<ProblemDetails> FitsAppointmentsAsync(
        IQuerySession session, Call call, CallOutcome outcome, string? appointmentId, CancellationToken ct)
    {
        if (outcome != CallOutcome.AppointmentBooked)
        {
            var booked = await session.Query<Appointment>().Where(a => a.CallId == call.CallId).Select(a => a.AppointmentId).FirstOrDefaultAsync(ct);
            return booked is null
                ? Problems.None
                : Problems.Conflict("outcome", $"Appointment '{booked}' was booked in call '{call.CallId}': its outcome is 'appointment-booked'.");
        }

        var named = appointmentId is null ? null : await session.LoadAsync<Appointment>(StreamKeys.Appointment(appointmentId), ct);
        return named is not null && named.CallId != call.CallId
            ? Problems.Conflict("appointmentId", $"Appointment '{appointmentId}' was not booked in call '{call.CallId}'.")
            : Problems.None;
    }

    /// <summary>Starts the referral a completion (or a correction) opens, in the caller's session and so its transaction.</summary>
    public static void OpenReferral(IDocumentSession session, Call call, string referralId, string department, CallOutcome outcome, DateTimeOffset completedAt) =>
        session.Events.StartStream<Referral>(StreamKeys.Referral(referralId),
            new ReferralOpened(referralId, call.CallId, call.ContractId, call.ServiceLine, department, outcome, completedAt));
}
