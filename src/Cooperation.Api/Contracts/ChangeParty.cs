using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Contracts;

/// <summary>
/// A party's data from a day on (api.md "Contracts"): the fields sent replace those in force on that day, the rest
/// stay; the result is checked as at signing. The party's id, the provider's invoice prefix and the client's state
/// never change: they key access, the number series and the holidays.
/// </summary>
public sealed record ChangeParty(
    string? Party, DateOnly? EffectiveFrom, string? Name, string? Street, string? PostalCode, string? City,
    string? ContactEmail, string? ContactName, string? ContactPhone, string? Iban, string? VatId, string? TaxNumber, string? LeitwegId)
{
    public sealed class Validator : AbstractValidator<ChangeParty>
    {
        public Validator()
        {
            RuleFor(x => x.Party).NotEmpty().Must(p => p is Parties.Provider or Parties.Client)
                .WithMessage("'party' must be 'provider' or 'client'.");
            RuleFor(x => x.EffectiveFrom).NotNull().PlausibleDate();
            // The party as changed is checked as at signing; these bounds only state the same lengths up front.
            RuleFor(x => x.Party).MaximumLength(Parties.Provider.Length);
            RuleFor(x => x.Name).MaximumLength(PartyFields.Text);
            RuleFor(x => x.Street).MaximumLength(PartyFields.Text);
            RuleFor(x => x.PostalCode).MaximumLength(PartyFields.PostalCode);
            RuleFor(x => x.City).MaximumLength(PartyFields.Text);
            RuleFor(x => x.ContactEmail).MaximumLength(PartyFields.Text);
            RuleFor(x => x.ContactName).MaximumLength(PartyFields.Text);
            RuleFor(x => x.ContactPhone).MaximumLength(PartyFields.Phone);
            RuleFor(x => x.Iban).MaximumLength(PartyFields.Iban);
            RuleFor(x => x.VatId).MaximumLength(PartyFields.VatId);
            RuleFor(x => x.TaxNumber).MaximumLength(PartyFields.TaxNumber);
            RuleFor(x => x.LeitwegId).MaximumLength(PartyFields.LeitwegId);
            foreach (var (field, value) in ProviderOnly)
            {
                RuleFor(x => value(x)).Null().When(x => x.Party == Parties.Client)
                    .WithMessage($"'{field}' is the provider's: a client has none.").OverridePropertyName(field);
            }

            RuleFor(x => x.LeitwegId).Null().When(x => x.Party == Parties.Provider)
                .WithMessage("'leitwegId' is the client's: a provider has none.");
            RuleFor(x => x).Must(x => new[] { x.Name, x.Street, x.PostalCode, x.City, x.ContactEmail, x.ContactName, x.ContactPhone, x.Iban, x.VatId, x.TaxNumber, x.LeitwegId }
                    .Any(v => v is not null))
                .WithMessage("Send at least one field that changes.").OverridePropertyName("$");
        }

        private static readonly (string Field, Func<ChangeParty, string?> Value)[] ProviderOnly =
        [
            ("contactEmail", x => x.ContactEmail), ("contactName", x => x.ContactName), ("contactPhone", x => x.ContactPhone),
            ("iban", x => x.Iban), ("vatId", x => x.VatId), ("taxNumber", x => x.TaxNumber),
        ];
    }

    /// <summary>The provider in force on the day with the fields sent laid over it.</summary>
    public ProviderInput Over(Provider p) => new(
        p.Id, Name ?? p.Name, p.InvoicePrefix, Street ?? p.Street, PostalCode ?? p.PostalCode, City ?? p.City, Iban ?? p.Iban,
        ContactEmail ?? p.ContactEmail, ContactName ?? p.ContactName, ContactPhone ?? p.ContactPhone, VatId ?? p.VatId, TaxNumber ?? p.TaxNumber);

    /// <summary>The client in force on the day with the fields sent laid over it.</summary>
    public ClientInput Over(Client c) => new(
        c.Id, Name ?? c.Name, c.State, LeitwegId ?? c.LeitwegId, Street ?? c.Street, PostalCode ?? c.PostalCode, City ?? c.City);
}

public static class ChangePartyEndpoint
{
    [WolverinePost("/api/contracts/{contractId}/party-changes")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [ProducesResponseType<ContractView>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        string contractId, ChangeParty command, HttpContext http, WriteStep step, TimeProvider clock, CancellationToken ct) =>
        ContractAccess.Answer(await step.ChangeAsync(http, contractId, clock, s => ContractDecider.ChangeParty(command, s), ct));
}
