using System.Security.Claims;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Reports;
using FluentValidation;
using Marten;
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
    public static async Task<IResult> Post(IssueInvoice command, ClaimsPrincipal user, IDocumentSession session, BillingLock billingLock, TimeProvider clock, CancellationToken ct)
    {
        var contract = await session.LoadAsync<Contract>(StreamKeys.Contract(command.ContractId!), ct);
        var quarter = new Quarter(command.Year!.Value, command.Quarter!.Value);
        var today = Berlin.Today(clock);
        var problem = (contract is null || !contract.IsReachableBy(Caller.From(user))
                ? Problems.NotFound("contractId", $"There is no contract '{command.ContractId}'.")
                : Problems.None)
            .Then(() => BillingAccess.MustBeSeller(contract!.Provider.Id, user))
            .Then(() => MayBeInvoiced(contract!, quarter, today));
        if (!problem.IsNone())
        {
            return Results.Problem(problem);
        }

        await billingLock.AcquireAsync(session, contract!.Provider.Id, ct);
        // Exclusive: a contract change racing the invoice waits for it instead of making either fail.
        var contractStream = await session.Events.FetchForExclusiveWriting<Contract>(StreamKeys.Contract(contract.ContractId), ct);
        contract = contractStream.Aggregate!;
        if (MayBeInvoiced(contract, quarter, today) is var changed && !changed.IsNone())
        {
            return Results.Problem(changed); // the term changed while the request waited for the lock
        }

        var ledger = await BillingAccess.LedgerAsync(session, contract, quarter, ct);
        if (ledger.LiveInvoice is { } live)
        {
            var conflict = Problems.Conflict("quarter",
                $"{quarter} of contract '{contract.ContractId}' is invoiced already by {live.Number} (invoice '{live.InvoiceId}'). Cancel it with a credit note before invoicing the quarter again.");
            conflict.Extensions["invoiceId"] = live.InvoiceId;
            return Results.Problem(conflict);
        }

        var sequence = await BillingAccess.NextSequenceAsync(session, contract.Provider.Id, today.Year, ct);
        var issued = Documents.QuarterInvoice(contract, quarter, new Documents.Issue(BillingAccess.NewId(), sequence, today, clock.GetUtcNow()));
        var created = BillingAccess.Start(session, issued);
        contractStream.AppendOne(new QuarterClosed(contract.ContractId, quarter.Year, quarter.Number, issued.InvoiceId, issued.Number, issued.IssuedAt));
        await session.SaveChangesAsync(ct);
        return created;
    }

    /// <summary>409 for a quarter outside the contract's term or not yet ended (billing is in arrears).</summary>
    public static ProblemDetails MayBeInvoiced(Contract contract, Quarter quarter, DateOnly today)
    {
        if (QuarterlyReport.CoveredPart(contract, quarter) is null)
        {
            return ContractAccess.OutsideTerm(contract, "quarter", quarter.ToString());
        }

        return quarter.LastDay >= today
            ? Problems.Conflict("quarter", $"{quarter} ends on {quarter.LastDay:yyyy-MM-dd}: a quarter is invoiced in arrears, from {quarter.LastDay.AddDays(1):yyyy-MM-dd} on.")
            : Problems.None;
    }
}
