using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// The demo's data: the Bochum/Castrop-Rauxel contract as signed in 2020, with the Ordnungswesen line added and
/// the fee amended for 2024 on, through the same commands, validators and deciders as the API. Seeding is
/// idempotent: what is there already is left alone.
/// </summary>
public static class DemoData
{
    public const string ContractId = "bochum-castrop-rauxel";
    public const string Actor = "demo-seed";

    public static SignContract Contract { get; } = new(
        ContractId,
        new ProviderInput("bochum", "Stadt Bochum", "BO", "Willy-Brandt-Platz 2-6", "44777", "Bochum",
            "DE86430500010000000000", "servicecenter@bochum.de", "Servicecenter Bochum", "+49 234 910-0"),
        new ClientInput("castrop-rauxel", "Stadt Castrop-Rauxel", "NW", "05916004-0001-21",
            "Europaplatz 1", "44575", "Castrop-Rauxel"),
        180_000.00m,
        new DateOnly(2020, 11, 2),
        EndsOn: null,
        [new ServiceLineInput("buergerbuero", "Bürgerbüro", new DateOnly(2020, 11, 2))],
        OpeningHours: null,
        ClosureDays: null,
        KpiSettings: null,
        VatTreatment.NotSubject,
        PaymentTermsDays: null);

    public static AddServiceLine Ordnungswesen { get; } = new("ordnungswesen", "Ordnungswesen", new DateOnly(2021, 1, 1));

    /// <summary>Renegotiated for 2024 on: the fee rises to 190,000 € a year (47,500 € a quarter).</summary>
    public static AmendFee FeeAmendment { get; } = new(190_000.00m, new DateOnly(2024, 1, 1));

    /// <summary>The contract-admin the demo acts as: of no one city, like the seed itself.</summary>
    private static readonly Caller Admin = new(Actor, null);

    public static async Task SeedAsync(IDocumentStore store, TimeProvider clock, Action<string> log, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        session.LastModifiedBy = Actor;
        session.CorrelationId = $"{Actor}-{clock.GetUtcNow():yyyyMMddHHmmss}";

        var key = StreamKeys.Contract(ContractId);
        if (await session.Events.FetchStreamStateAsync(key, ct) is not null)
        {
            log($"Demo: contract '{ContractId}' is already there.");
            return;
        }

        await new SignContract.Validator().ValidateAndThrowAsync(Contract, ct);
        await new AddServiceLine.Validator().ValidateAndThrowAsync(Ordnungswesen, ct);
        await new AmendFee.Validator().ValidateAndThrowAsync(FeeAmendment, ct);
        var now = clock.GetUtcNow();
        var writes = new DemoWrites();
        writes.Decide<Contract>(key, s => ContractDecider.Sign(Contract, new ContractSituation(ContractId, s, Admin, now)));
        writes.Decide<Contract>(key, s => ContractDecider.AddServiceLine(Ordnungswesen, new ContractSituation(ContractId, s, Admin, now)));
        writes.Decide<Contract>(key, s => ContractDecider.AmendFee(FeeAmendment, new ContractSituation(ContractId, s, Admin, now)));
        writes.Stage(session);
        await session.SaveChangesAsync(ct);
        log($"Demo: signed '{ContractId}' (from 2020-11-02, 180,000.00 €/year, Bürgerbüro; Ordnungswesen from 2021-01-01; " +
            $"fee amended to {FeeAmendment.AnnualFee:N2} €/year from {FeeAmendment.EffectiveFrom:yyyy-MM-dd}).");
    }
}
