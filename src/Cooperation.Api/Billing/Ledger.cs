using System.Globalization;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Billing;

/// <summary>
/// The documents of one contract's quarter and what they add up to (domain §3). Cancelled documents stay in
/// the ledger: the credit note that cancelled them counts against them, so nothing is ever edited away.
/// </summary>
public sealed record QuarterLedger(Quarter Quarter, decimal FeeDue, IReadOnlyList<Invoice> Documents)
{
    /// <summary>The quarter's invoice that no credit note has cancelled; there is at most one.</summary>
    public Invoice? LiveInvoice => Documents.FirstOrDefault(d => d.Kind == DocumentKind.Invoice && !d.IsCancelled);

    /// <summary>
    /// Supplementary invoices and credit notes of differences that still stand: they adjust the live invoice,
    /// and a credit note that cancels it cancels them with it.
    /// </summary>
    public IEnumerable<Invoice> LiveAdjustments => Documents.Where(d => d.Kind != DocumentKind.Invoice && !d.IsCancelled && !d.Cancels);

    /// <summary>The net amount billed for the quarter: invoices less credit notes.</summary>
    public decimal BilledNet => Money.Total(Documents.Select(d => d.BilledNet));

    /// <summary>What is still to be invoiced (positive) or credited (negative) for the fee due under the contract now.</summary>
    public decimal Difference => FeeDue - BilledNet;

    /// <summary>Every invoice issued for the quarter, gross, including those cancelled later.</summary>
    public decimal Invoiced => Money.Total(Documents.Where(d => !d.IsCreditNote).Select(d => d.Amount));

    public decimal Credited => Money.Total(Documents.Where(d => d.IsCreditNote).Select(d => d.Amount));

    /// <summary>Payments, and transfers in less transfers out (a transfer between two quarters moves money between them).</summary>
    public decimal Paid => Money.Total(Documents.Select(d => d.Paid));

    public decimal Refunded => Money.Total(Documents.Select(d => d.Refunded));

    /// <summary>Invoiced less credited less paid plus refunded: what the client still owes; negative is a balance in its favour.</summary>
    public decimal OpenBalance => Invoiced - Credited - Paid + Refunded;
}

/// <summary>The documents billing issues, as pure functions of the contract and the quarter's ledger.</summary>
public static class Documents
{
    public const decimal StandardVatRate = 19m;

    /// <summary>A new document's identity: its stream id, its number's sequence, and the day and instant of issue.</summary>
    public sealed record Issue(string InvoiceId, int Sequence, DateOnly IssuedOn, DateTimeOffset IssuedAt);

    /// <summary>"BO-2021-0001": prefix, year of issue, sequence in that year (gap-free per provider).</summary>
    public static string Number(string prefix, int year, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{year}-{sequence:0000}");

    /// <summary>
    /// The quarter's invoice: one line per stretch of days with one annual fee and one set of service lines
    /// served, adding up to the fee due.
    /// </summary>
    public static InvoiceIssued QuarterInvoice(Contract contract, Quarter quarter, Issue issue)
    {
        var stretches = Stretches(contract, quarter);
        var total = contract.FeeDue(quarter);
        var lines = new List<InvoiceLine>();
        for (var i = 0; i < stretches.Count; i++)
        {
            var (part, served) = stretches[i];
            // Each line rounded on its own; the last takes what the rounding left, so the lines add up to the fee due.
            var amount = i < stretches.Count - 1 ? Money.Round(part.Exact) : total - lines.Sum(l => l.Amount);
            lines.Add(new InvoiceLine(i + 1, Describe(quarter, part, served), part.From, part.To, amount));
        }

        return Issued(contract, quarter, issue, DocumentKind.Invoice, lines, [], cancels: false, reason: null);
    }

    /// <summary>
    /// The difference between the fee due now and what the quarter has been billed, after a fee amendment dated
    /// back into it: a supplementary invoice when more is due, a credit note when less. Null when there is none.
    /// </summary>
    public static InvoiceIssued? Difference(Contract contract, QuarterLedger ledger, Invoice invoice, string? reason, Issue issue)
    {
        var difference = ledger.Difference;
        if (difference == 0m)
        {
            return null;
        }

        var (from, to) = (invoice.Lines.Min(l => l.From), invoice.Lines.Max(l => l.To));
        var description = string.Create(CultureInfo.InvariantCulture,
            $"{(difference > 0 ? "Nachberechnung" : "Gutschrift")} {ledger.Quarter} zu {invoice.Number}: Entgelt laut Vertrag {ledger.FeeDue:0.00} EUR, bisher berechnet {ledger.BilledNet:0.00} EUR");
        var line = new InvoiceLine(1, description, from, to, Math.Abs(difference));
        var kind = difference > 0 ? DocumentKind.SupplementaryInvoice : DocumentKind.CreditNote;
        return Issued(contract, ledger.Quarter, issue, kind, [line], [invoice.AsReference()], cancels: false, reason);
    }

    /// <summary>
    /// The credit note that cancels the quarter's invoice together with its adjustments: it repeats their lines
    /// (a credited difference as a negative line) and their VAT, so the quarter's billed amount returns to zero
    /// and the quarter can be invoiced afresh.
    /// </summary>
    public static InvoiceIssued Cancellation(Contract contract, QuarterLedger ledger, Invoice invoice, string reason, Issue issue)
    {
        IReadOnlyList<Invoice> cancelled = [invoice, .. ledger.LiveAdjustments.OrderBy(d => d.Sequence)];
        var lines = cancelled
            .SelectMany(d => d.Lines.Select(l => (Document: d, Line: l)))
            .Select((x, i) => new InvoiceLine(
                i + 1, $"Storno {x.Document.Number}: {x.Line.Description}", x.Line.From, x.Line.To, x.Document.IsCreditNote ? -x.Line.Amount : x.Line.Amount))
            .ToList();
        var net = cancelled.Sum(d => d.BilledNet);
        var vat = cancelled.Sum(d => d.IsCreditNote ? -d.VatAmount : d.VatAmount);
        return Issued(contract, ledger.Quarter, issue, DocumentKind.CreditNote, lines, [.. cancelled.Select(d => d.AsReference())], cancels: true, reason)
            with { NetAmount = net, VatAmount = vat, Amount = net + vat };
    }

    /// <summary>VAT of a document's net amount: none when not subject to VAT (§ 2b UStG), else 19 %.</summary>
    public static decimal VatOf(VatTreatment vat, decimal net) =>
        vat == VatTreatment.Standard ? Money.Round(net * StandardVatRate / 100m) : 0.00m;

    private static InvoiceIssued Issued(
        Contract contract, Quarter quarter, Issue issue, DocumentKind kind, IReadOnlyList<InvoiceLine> lines,
        IReadOnlyList<DocumentReference> references, bool cancels, string? reason)
    {
        var net = lines.Sum(l => l.Amount);
        var vat = VatOf(contract.Vat, net);
        var prefix = contract.Provider.InvoicePrefix;
        return new InvoiceIssued(
            issue.InvoiceId, Number(prefix, issue.IssuedOn.Year, issue.Sequence), issue.Sequence, kind, contract.ContractId,
            quarter.Year, quarter.Number, issue.IssuedOn,
            kind == DocumentKind.CreditNote ? null : issue.IssuedOn.AddDays(contract.PaymentTermsDays),
            // The parties' data in force on the day of issue (a party change dated later never reaches this document).
            contract.ProviderOn(issue.IssuedOn), contract.ClientOn(issue.IssuedOn), contract.Vat, lines, net, vat, net + vat, references, cancels, reason, issue.IssuedAt);
    }

    /// <summary>The fee parts, split further where a service line starts or ends inside one.</summary>
    private static List<(FeePart Part, string[] Served)> Stretches(Contract contract, Quarter quarter)
    {
        string[] ServedOn(DateOnly day) => [.. contract.ServiceLines.Where(l => l.Covers(day)).Select(l => l.Name).Distinct()];

        var stretches = new List<(FeePart, string[])>();
        foreach (var part in contract.FeeParts(quarter))
        {
            var (from, served) = (part.From, ServedOn(part.From));
            for (var day = part.From.AddDays(1); day <= part.To; day = day.AddDays(1))
            {
                if (ServedOn(day) is var now && !now.SequenceEqual(served))
                {
                    stretches.Add((part with { From = from, To = day.AddDays(-1) }, served));
                    (from, served) = (day, now);
                }
            }

            stretches.Add((part with { From = from }, served));
        }

        return stretches;
    }

    private static string Describe(Quarter quarter, FeePart part, string[] served) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Telefonischer Bürgerservice ({Named(served)}) {quarter}, {part.From:dd.MM.yyyy}–{part.To:dd.MM.yyyy}: {part.Days} von {part.QuarterDays} Tagen, Jahresentgelt {part.AnnualFee:0.00} EUR");

    /// <summary>The lines served, as many as fit in 600 characters and how many more: a line's text stays short (ADR 23).</summary>
    private static string Named(string[] served)
    {
        var shown = 0;
        for (var length = 0; shown < served.Length && (shown == 0 || length + served[shown].Length <= 600); shown++)
        {
            length += served[shown].Length + 2;
        }

        return shown == served.Length
            ? string.Join(", ", served)
            : string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", served.Take(shown))} und {served.Length - shown} weitere");
    }
}
