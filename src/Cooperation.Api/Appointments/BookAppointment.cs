using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Appointments;

/// <summary>
/// An appointment booked on a contract, by the provider's agents or appointment system or by the client city's
/// staff; <c>CallId</c> when it was booked in a call. <c>Service</c> is what the citizen comes for.
/// </summary>
public sealed record BookAppointment(string? AppointmentId, string? ContractId, string? CallId, string? Service, DateTimeOffset? StartsAt)
{
    public sealed class Validator : AbstractValidator<BookAppointment>
    {
        public Validator()
        {
            RuleFor(x => x.AppointmentId).Must(CallIds.IsValid).When(x => x.AppointmentId is not null)
                .WithMessage("'appointmentId' must be 1–100 letters, digits or '.', '_', ':', '-'.")
                .MaximumLength(CallIds.MaxLength);
            RuleFor(x => x.ContractId).NotEmpty().KebabCaseId();
            RuleFor(x => x.CallId).Must(CallIds.IsValid).When(x => x.CallId is not null).WithMessage(CallIds.Rule).MaximumLength(CallIds.MaxLength);
            RuleFor(x => x.Service).NotEmpty().MaximumLength(200);
            RuleFor(x => x.StartsAt).NotNull().PlausibleInstant();
        }
    }
}

public static class BookAppointmentEndpoint
{
    [WolverinePost("/api/appointments")]
    [Authorize(Roles = AppointmentAccess.Writers)]
    [ProducesResponseType<AppointmentView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<AppointmentView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(BookAppointment command, HttpContext http, AppointmentWrites appointments, CancellationToken ct)
    {
        var appointmentId = command.AppointmentId ?? "apt-" + Guid.NewGuid().ToString("N");
        return AppointmentAccess.Answer(
            await appointments.BookAsync(http, appointmentId, command, s => AppointmentDecider.Book(command, s), ct),
            createdOnChange: true);
    }
}
