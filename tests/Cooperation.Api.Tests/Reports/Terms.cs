using Cooperation.Api.Contracts;

namespace Cooperation.Api.Tests.Reports;

/// <summary>Contracts built straight from their events, for the pure rules' tests.</summary>
internal static class Terms
{
    public static Contract Contract(
        string startsOn = "2020-11-02", decimal annualFee = 180_000m, string state = "NW", params string[] closureDays) =>
        Api.Contracts.Contract.Create(new ContractSigned(
            "bochum-castrop-rauxel",
            new Provider("bochum", "Stadt Bochum", "BO", "Willy-Brandt-Platz 2-6", "44777", "Bochum", "DE02430500010000000000", "servicecenter@bochum.de", "Servicecenter Bochum", "+49 234 910-0"),
            new Client("castrop-rauxel", "Stadt Castrop-Rauxel", state, "05916004-0001-00", "Europaplatz 1", "44575", "Castrop-Rauxel"),
            annualFee,
            DateOnly.Parse(startsOn),
            null,
            [new ServiceLineTerms("buergerbuero", "Bürgerbüro", DateOnly.Parse(startsOn))],
            OpeningHours.Default,
            [.. closureDays.Select(DateOnly.Parse)],
            KpiSettings.Default,
            VatTreatment.NotSubject,
            30,
            DateTimeOffset.Parse("2020-10-01T10:00:00+02:00")));

    public static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);
}
