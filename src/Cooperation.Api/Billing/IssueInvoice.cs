using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Billing;

/// <summary>Invoice a contract's quarter, in arrears, for the fee due under the contract.</summary>
public sealed record IssueInvoice(string? ContractId, int? Year, int? Quarter)
{
    public sealed class Validator : AbstractValidator<IssueInvoice>
    {
        public Validator()
        {
            RuleFor(x => x.ContractId).NotEmpty().KebabCaseId();
            RuleFor(x => x.Year).NotNull().InclusiveBetween(2000, 2200);
            RuleFor(x => x.Quarter).NotNull().InclusiveBetween(1, 4).WithMessage("'quarter' must be 1, 2, 3 or 4.");
        }
    }
}

public static class IssueInvoiceEndpoint
{
    [WolverinePost("/api/invoices")]
    [Authorize(Roles = Roles.Finance)]
    [ProducesResponseType<InvoiceView>(StatusCodes.Status201Created, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(IssueInvoice command, HttpContext http, BillingWrites billing, CancellationToken ct) =>
        BillingAccess.Answer(await billing.OnQuarterAsync(http, command.ContractId!, new Quarter(command.Year!.Value, command.Quarter!.Value),
            s => BillingDecider.IssueInvoice(command, s), ct));
}
