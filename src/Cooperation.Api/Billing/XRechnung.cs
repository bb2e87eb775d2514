using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Cooperation.Api.Contracts;

namespace Cooperation.Api.Billing;

/// <summary>
/// A billing document as XRechnung 3.0 in UBL 2.1 syntax: an Invoice-2 (380) for invoices and supplementary
/// invoices, a CreditNote-2 (381) for credit notes. Children are added in the order of the UBL 2.1 XSD sequences,
/// because a schema-valid document depends on it. Net, VAT and gross are taken as issued, not recomputed, so the
/// XML says what the document said; only the sum of line amounts (BT-106) is added up here.
/// </summary>
public static class XRechnung
{
    public const string CustomizationId = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
    public const string ProfileId = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

    private static readonly XNamespace InvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private static readonly XNamespace CreditNoteNs = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    private static readonly XNamespace CacNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private static readonly XNamespace CbcNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    private const string Currency = "EUR";
    private const string Country = "DE";
    private const decimal StandardRate = 19m;

    private const string NotSubjectReason =
        "Nicht steuerbar: Leistung einer juristischen Person des öffentlichen Rechts nach § 2b UStG";

    public static XDocument Write(Invoice document)
    {
        var credit = document.IsCreditNote;
        var root = credit ? CreditNoteNs : InvoiceNs;
        return new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(root + (credit ? "CreditNote" : "Invoice"),
                new XAttribute("xmlns", root.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "cac", CacNs.NamespaceName),
                new XAttribute(XNamespace.Xmlns + "cbc", CbcNs.NamespaceName),
                Cbc("CustomizationID", CustomizationId),
                Cbc("ProfileID", ProfileId),
                Cbc("ID", document.Number),
                Cbc("IssueDate", Date(document.IssuedOn)),
                // CreditNote-2 has no DueDate at the root; a credit note is not due.
                credit || document.DueOn is not { } due ? null : Cbc("DueDate", Date(due)),
                credit ? Cbc("CreditNoteTypeCode", "381") : Cbc("InvoiceTypeCode", "380"),
                Text("Note", document.Reason),
                Cbc("DocumentCurrencyCode", Currency),
                Cbc("BuyerReference", document.Buyer.LeitwegId),
                Period("InvoicePeriod", document.Lines),
                document.References.Select(r => Cac("BillingReference",
                    Cac("InvoiceDocumentReference", Cbc("ID", r.Number), Cbc("IssueDate", Date(r.IssuedOn))))),
                // BT-12: the contract the quarter is billed under.
                Cac("ContractDocumentReference", Cbc("ID", document.ContractId)),
                Cac("AccountingSupplierParty", Seller(document.Seller, document.Vat)),
                Cac("AccountingCustomerParty", Buyer(document.Buyer)),
                PaymentMeans(document),
                Cac("PaymentTerms", Cbc("Note", PaymentTerms(document))),
                Cac("TaxTotal",
                    Amount("TaxAmount", document.VatAmount),
                    Cac("TaxSubtotal",
                        Amount("TaxableAmount", document.NetAmount),
                        Amount("TaxAmount", document.VatAmount),
                        TaxCategory("TaxCategory", document.Vat, breakdown: true))),
                Cac("LegalMonetaryTotal",
                    Amount("LineExtensionAmount", document.Lines.Sum(l => l.Amount)),
                    Amount("TaxExclusiveAmount", document.NetAmount),
                    Amount("TaxInclusiveAmount", document.Amount),
                    // Payments are not the document's: it states what was billed, so nothing is prepaid.
                    Amount("PayableAmount", document.Amount)),
                document.Lines.Select(l => Line(l, document.Vat, credit))));
    }

    /// <summary>UTF-8 without a byte order mark, with the XML declaration, indented.</summary>
    public static byte[] ToUtf8(XDocument xml)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            NewLineChars = "\n",
            OmitXmlDeclaration = false,
        };
        using var bytes = new MemoryStream();
        using (var writer = XmlWriter.Create(bytes, settings))
        {
            xml.Save(writer);
        }

        return bytes.ToArray();
    }

    private static XElement Seller(Provider seller, VatTreatment vat) =>
        Cac("Party",
            Cbc("EndpointID", seller.ContactEmail, new XAttribute("schemeID", "EM")),
            // BR-CO-26 wants a seller identifier (BT-29), legal registration (BT-30) or VAT id (BT-31); the contract
            // holds only the provider's id in this cooperation, which both parties know.
            Cac("PartyIdentification", Cbc("ID", seller.Id)),
            Cac("PartyName", Cbc("Name", seller.Name)),
            Address(seller.Street, seller.City, seller.PostalCode),
            // BT-31 only under VAT: with category O a seller VAT id is not allowed (BR-O-02).
            vat == VatTreatment.Standard && seller.VatId is { } vatId
                ? Cac("PartyTaxScheme", Cbc("CompanyID", vatId), Cac("TaxScheme", Cbc("ID", "VAT")))
                : null,
            // BT-32, the seller's tax number: what BR-S-02 accepts instead of a VAT id.
            vat == VatTreatment.Standard && seller.TaxNumber is { } taxNumber
                ? Cac("PartyTaxScheme", Cbc("CompanyID", taxNumber), Cac("TaxScheme", Cbc("ID", "FC")))
                : null,
            Cac("PartyLegalEntity", Cbc("RegistrationName", seller.Name)),
            Cac("Contact",
                // Documents issued before the contact was required at signing are still written as well as they can be.
                Cbc("Name", string.IsNullOrWhiteSpace(seller.ContactName) ? seller.Name : seller.ContactName),
                Text("Telephone", seller.ContactPhone),
                Cbc("ElectronicMail", seller.ContactEmail)));

    private static XElement Buyer(Client buyer) =>
        Cac("Party",
            Cbc("EndpointID", buyer.LeitwegId, new XAttribute("schemeID", "0204")),
            Cac("PartyName", Cbc("Name", buyer.Name)),
            Address(buyer.Street, buyer.City, buyer.PostalCode),
            Cac("PartyLegalEntity", Cbc("RegistrationName", buyer.Name)));

    private static XElement Address(string street, string city, string postalCode) =>
        Cac("PostalAddress",
            Text("StreetName", street),
            Text("CityName", city),
            Text("PostalZone", postalCode),
            Cac("Country", Cbc("IdentificationCode", Country)));

    /// <summary>
    /// An invoice asks for a SEPA transfer to the seller's account (58). A credit note's money goes the other way
    /// and is offset or refunded, so it names no payee account of the seller's; "instrument not defined" (1)
    /// still gives the payment instructions that BR-DE-1 requires.
    /// </summary>
    private static XElement PaymentMeans(Invoice document) => document.IsCreditNote
        ? Cac("PaymentMeans", Cbc("PaymentMeansCode", "1"))
        : Cac("PaymentMeans",
            Cbc("PaymentMeansCode", "58"),
            // BT-83: the number as remittance information, so the payment can be matched to the invoice.
            Cbc("PaymentID", document.Number),
            Cac("PayeeFinancialAccount", Cbc("ID", document.Seller.Iban), Cbc("Name", document.Seller.Name)));

    private static string PaymentTerms(Invoice document) => document switch
    {
        { IsCreditNote: true } => "Der Betrag wird verrechnet oder erstattet.",
        { DueOn: { } due } => $"Zahlbar ohne Abzug bis {due.ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)}.",
        _ => "Zahlbar sofort ohne Abzug.",
    };

    private static XElement Line(InvoiceLine line, VatTreatment vat, bool credit)
    {
        // BR-27 forbids a negative price, so a negative line is minus one unit at the positive price.
        var quantity = line.Amount < 0 ? "-1" : "1";
        return Cac(credit ? "CreditNoteLine" : "InvoiceLine",
            Cbc("ID", line.Number.ToString(CultureInfo.InvariantCulture)),
            Cbc(credit ? "CreditedQuantity" : "InvoicedQuantity", quantity, new XAttribute("unitCode", "C62")),
            Amount("LineExtensionAmount", line.Amount),
            Period("InvoicePeriod", [line]),
            Cac("Item",
                Cbc("Name", string.IsNullOrWhiteSpace(line.Description) ? $"Position {line.Number}" : line.Description),
                TaxCategory("ClassifiedTaxCategory", vat, breakdown: false)),
            Cac("Price", Amount("PriceAmount", Math.Abs(line.Amount))));
    }

    /// <summary>
    /// VAT category O (not subject, § 2b UStG) or S at 19 %. For O the breakdown states rate 0, which XRechnung
    /// requires of every breakdown (BR-DE-14), while the line states none (BR-O-05).
    /// </summary>
    private static XElement TaxCategory(string name, VatTreatment vat, bool breakdown)
    {
        var notSubject = vat == VatTreatment.NotSubject;
        return Cac(name,
            Cbc("ID", notSubject ? "O" : "S"),
            notSubject && !breakdown ? null : Cbc("Percent", (notSubject ? 0m : StandardRate).ToString(CultureInfo.InvariantCulture)),
            notSubject && breakdown ? Cbc("TaxExemptionReasonCode", "VATEX-EU-O") : null,
            notSubject && breakdown ? Cbc("TaxExemptionReason", NotSubjectReason) : null,
            Cac("TaxScheme", Cbc("ID", "VAT")));
    }

    private static XElement? Period(string name, IReadOnlyCollection<InvoiceLine> lines) => lines.Count == 0
        ? null
        : Cac(name, Cbc("StartDate", Date(lines.Min(l => l.From))), Cbc("EndDate", Date(lines.Max(l => l.To))));

    private static XElement Amount(string name, decimal value) =>
        Cbc(name, value.ToString("0.00", CultureInfo.InvariantCulture), new XAttribute("currencyID", Currency));

    private static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static XElement Cbc(string name, params object?[] content) => new(CbcNs + name, content);

    private static XElement Cac(string name, params object?[] content) => new(CacNs + name, content);

    /// <summary>An optional text, left out when blank: UBL documents must not carry empty elements.</summary>
    private static XElement? Text(string name, string? value) => string.IsNullOrWhiteSpace(value) ? null : Cbc(name, value);
}
