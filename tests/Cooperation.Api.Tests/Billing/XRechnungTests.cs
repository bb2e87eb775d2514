using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using Cooperation.Api.Billing;
using Cooperation.Api.Contracts;

namespace Cooperation.Api.Tests.Billing;

public sealed partial class XRechnungTests
{
    private const string InvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private const string CreditNoteNs = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    private const string CacNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private const string CbcNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    // The UBL 2.1 XSD sequences of the root, reduced to the children this writer adds, in schema order.
    private static readonly string[] InvoiceSequence =
    [
        "CustomizationID", "ProfileID", "ID", "IssueDate", "DueDate", "InvoiceTypeCode", "Note", "DocumentCurrencyCode",
        "BuyerReference", "InvoicePeriod", "BillingReference", "ContractDocumentReference", "AccountingSupplierParty", "AccountingCustomerParty",
        "PaymentMeans", "PaymentTerms", "TaxTotal", "LegalMonetaryTotal", "InvoiceLine",
    ];

    private static readonly string[] CreditNoteSequence =
    [
        "CustomizationID", "ProfileID", "ID", "IssueDate", "CreditNoteTypeCode", "Note", "DocumentCurrencyCode",
        "BuyerReference", "InvoicePeriod", "BillingReference", "ContractDocumentReference", "AccountingSupplierParty", "AccountingCustomerParty",
        "PaymentMeans", "PaymentTerms", "TaxTotal", "LegalMonetaryTotal", "CreditNoteLine",
    ];

    [Fact]
    public void The_quarters_invoice_not_subject_to_VAT_carries_every_required_term()
    {
        var invoice = DemoInvoice();
        var xml = RoundTrip(invoice with { Seller = invoice.Seller with { VatId = "DE811234567" } });

        Assert.Equal(XName.Get("Invoice", InvoiceNs), xml.Root!.Name);
        Assert.Equal(XRechnung.CustomizationId, Value(xml, "/ubl:Invoice/cbc:CustomizationID"));
        Assert.Equal(XRechnung.ProfileId, Value(xml, "/ubl:Invoice/cbc:ProfileID"));
        Assert.Equal("BO-2021-0001", Value(xml, "/ubl:Invoice/cbc:ID"));
        Assert.Equal("2021-01-11", Value(xml, "/ubl:Invoice/cbc:IssueDate"));
        Assert.Equal("2021-02-10", Value(xml, "/ubl:Invoice/cbc:DueDate"));
        Assert.Equal("380", Value(xml, "/ubl:Invoice/cbc:InvoiceTypeCode"));
        Assert.Empty(Elements(xml, "/ubl:Invoice/cbc:Note"));
        Assert.Equal("EUR", Value(xml, "/ubl:Invoice/cbc:DocumentCurrencyCode"));
        Assert.Equal("05916004-0001-21", Value(xml, "/ubl:Invoice/cbc:BuyerReference"));
        Assert.Equal("2020-11-02", Value(xml, "/ubl:Invoice/cac:InvoicePeriod/cbc:StartDate"));
        Assert.Equal("2020-12-31", Value(xml, "/ubl:Invoice/cac:InvoicePeriod/cbc:EndDate"));
        Assert.Empty(Elements(xml, "/ubl:Invoice/cac:BillingReference"));
        Assert.Equal("bochum-castrop-rauxel", Value(xml, "/ubl:Invoice/cac:ContractDocumentReference/cbc:ID")); // BT-12

        const string seller = "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party";
        Assert.Equal("servicecenter@bochum.de", Value(xml, $"{seller}/cbc:EndpointID"));
        Assert.Equal("EM", Value(xml, $"{seller}/cbc:EndpointID/@schemeID"));
        Assert.Equal("bochum", Value(xml, $"{seller}/cac:PartyIdentification/cbc:ID"));
        Assert.Equal("Stadt Bochum", Value(xml, $"{seller}/cac:PartyName/cbc:Name"));
        Assert.Equal("Willy-Brandt-Platz 2-6", Value(xml, $"{seller}/cac:PostalAddress/cbc:StreetName"));
        Assert.Equal("Bochum", Value(xml, $"{seller}/cac:PostalAddress/cbc:CityName"));
        Assert.Equal("44777", Value(xml, $"{seller}/cac:PostalAddress/cbc:PostalZone"));
        Assert.Equal("DE", Value(xml, $"{seller}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"));
        Assert.Empty(Elements(xml, $"{seller}/cac:PartyTaxScheme")); // BR-O-02, even with a VAT id on the contract
        Assert.Equal("Stadt Bochum", Value(xml, $"{seller}/cac:PartyLegalEntity/cbc:RegistrationName"));
        Assert.Equal("Servicecenter Bochum", Value(xml, $"{seller}/cac:Contact/cbc:Name"));
        Assert.Equal("+49 234 910-0", Value(xml, $"{seller}/cac:Contact/cbc:Telephone"));
        Assert.Equal("servicecenter@bochum.de", Value(xml, $"{seller}/cac:Contact/cbc:ElectronicMail"));

        const string buyer = "/ubl:Invoice/cac:AccountingCustomerParty/cac:Party";
        Assert.Equal("05916004-0001-21", Value(xml, $"{buyer}/cbc:EndpointID"));
        Assert.Equal("0204", Value(xml, $"{buyer}/cbc:EndpointID/@schemeID"));
        Assert.Equal("Stadt Castrop-Rauxel", Value(xml, $"{buyer}/cac:PartyName/cbc:Name"));
        Assert.Equal("Europaplatz 1", Value(xml, $"{buyer}/cac:PostalAddress/cbc:StreetName"));
        Assert.Equal("Castrop-Rauxel", Value(xml, $"{buyer}/cac:PostalAddress/cbc:CityName"));
        Assert.Equal("44575", Value(xml, $"{buyer}/cac:PostalAddress/cbc:PostalZone"));
        Assert.Equal("DE", Value(xml, $"{buyer}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"));
        Assert.Equal("Stadt Castrop-Rauxel", Value(xml, $"{buyer}/cac:PartyLegalEntity/cbc:RegistrationName"));

        Assert.Equal("58", Value(xml, "/ubl:Invoice/cac:PaymentMeans/cbc:PaymentMeansCode"));
        Assert.Equal("BO-2021-0001", Value(xml, "/ubl:Invoice/cac:PaymentMeans/cbc:PaymentID")); // BT-83
        Assert.Equal("DE86430500010000000000", Value(xml, "/ubl:Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"));
        Assert.Equal("Stadt Bochum", Value(xml, "/ubl:Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name"));
        Assert.Equal("Zahlbar ohne Abzug bis 10.02.2021.", Value(xml, "/ubl:Invoice/cac:PaymentTerms/cbc:Note"));

        const string subtotal = "/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal";
        Assert.Equal("0.00", Value(xml, "/ubl:Invoice/cac:TaxTotal/cbc:TaxAmount"));
        Assert.Single(Elements(xml, subtotal));
        Assert.Equal("29347.83", Value(xml, $"{subtotal}/cbc:TaxableAmount"));
        Assert.Equal("0.00", Value(xml, $"{subtotal}/cbc:TaxAmount"));
        Assert.Equal("O", Value(xml, $"{subtotal}/cac:TaxCategory/cbc:ID"));
        Assert.Equal("0", Value(xml, $"{subtotal}/cac:TaxCategory/cbc:Percent")); // BR-DE-14
        Assert.Equal("VATEX-EU-O", Value(xml, $"{subtotal}/cac:TaxCategory/cbc:TaxExemptionReasonCode"));
        Assert.Equal("Nicht steuerbar: Leistung einer juristischen Person des öffentlichen Rechts nach § 2b UStG",
            Value(xml, $"{subtotal}/cac:TaxCategory/cbc:TaxExemptionReason"));
        Assert.Equal("VAT", Value(xml, $"{subtotal}/cac:TaxCategory/cac:TaxScheme/cbc:ID"));

        const string totals = "/ubl:Invoice/cac:LegalMonetaryTotal";
        Assert.Equal("29347.83", Value(xml, $"{totals}/cbc:LineExtensionAmount"));
        Assert.Equal("29347.83", Value(xml, $"{totals}/cbc:TaxExclusiveAmount"));
        Assert.Equal("29347.83", Value(xml, $"{totals}/cbc:TaxInclusiveAmount"));
        Assert.Empty(Elements(xml, $"{totals}/cbc:PrepaidAmount"));
        Assert.Equal("29347.83", Value(xml, $"{totals}/cbc:PayableAmount"));

        const string line = "/ubl:Invoice/cac:InvoiceLine";
        Assert.Single(Elements(xml, line));
        Assert.Equal("1", Value(xml, $"{line}/cbc:ID"));
        Assert.Equal("1", Value(xml, $"{line}/cbc:InvoicedQuantity"));
        Assert.Equal("C62", Value(xml, $"{line}/cbc:InvoicedQuantity/@unitCode"));
        Assert.Equal("29347.83", Value(xml, $"{line}/cbc:LineExtensionAmount"));
        Assert.Equal("2020-11-02", Value(xml, $"{line}/cac:InvoicePeriod/cbc:StartDate"));
        Assert.Equal("2020-12-31", Value(xml, $"{line}/cac:InvoicePeriod/cbc:EndDate"));
        Assert.Equal("Telefonischer Bürgerservice 02.11.2020–31.12.2020", Value(xml, $"{line}/cac:Item/cbc:Name"));
        Assert.Equal("O", Value(xml, $"{line}/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"));
        Assert.Empty(Elements(xml, $"{line}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")); // BR-O-05
        Assert.Equal("VAT", Value(xml, $"{line}/cac:Item/cac:ClassifiedTaxCategory/cac:TaxScheme/cbc:ID"));
        Assert.Equal("29347.83", Value(xml, $"{line}/cac:Price/cbc:PriceAmount"));

        AssertSumRules(xml);
    }

    [Fact]
    public void The_invoices_children_follow_the_UBL_sequence()
    {
        var xml = RoundTrip(DemoInvoice() with { Reason = "Nachberechnung", References = [Reference("BO-2020-0007", 2020, 10, 12)] });

        AssertUblOrder(xml, InvoiceSequence, "InvoicedQuantity");
        Assert.Equal(
            ["EndpointID", "PartyIdentification", "PartyName", "PostalAddress", "PartyLegalEntity", "Contact"],
            ChildNames(Elements(xml, "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party").Single()));
        Assert.Equal(
            ["ID", "Percent", "TaxExemptionReasonCode", "TaxExemptionReason", "TaxScheme"],
            ChildNames(Elements(xml, "/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory").Single()));
    }

    [Fact]
    public void At_the_standard_rate_a_tax_number_is_the_sellers_BT_32_beside_or_instead_of_a_VAT_id()
    {
        var demo = DemoInvoice();
        var xml = RoundTrip(demo with { Seller = demo.Seller with { TaxNumber = "350/5726/1234" }, Vat = VatTreatment.Standard, VatAmount = 5576.09m });

        var schemes = Elements(xml, "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme");
        var scheme = Assert.Single(schemes);
        Assert.Equal("350/5726/1234", scheme.Element(XName.Get("CompanyID", CbcNs))!.Value);
        Assert.Equal("FC", scheme.Descendants(XName.Get("ID", CbcNs)).Single().Value);

        var both = RoundTrip(demo with { Seller = demo.Seller with { TaxNumber = "350/5726/1234", VatId = "DE811234567" }, Vat = VatTreatment.Standard });
        Assert.Equal(["VAT", "FC"], Elements(both, "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme")
            .Select(e => e.Descendants(XName.Get("ID", CbcNs)).Single().Value));

        var notSubject = RoundTrip(demo with { Seller = demo.Seller with { TaxNumber = "350/5726/1234" } });
        Assert.Empty(Elements(notSubject, "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme"));
    }

    [Fact]
    public void An_invoice_at_the_standard_rate_is_category_S_at_19_percent()
    {
        var standard = DemoInvoice();
        var xml = RoundTrip(standard with
        {
            Seller = standard.Seller with { VatId = "DE811234567" },
            Vat = VatTreatment.Standard,
            Lines =
            [
                new InvoiceLine(1, "Telefonischer Bürgerservice 01.10.2021–14.11.2021", new DateOnly(2021, 10, 1), new DateOnly(2021, 11, 14), 14835.16m),
                new InvoiceLine(2, "Telefonischer Bürgerservice 15.11.2021–31.12.2021", new DateOnly(2021, 11, 15), new DateOnly(2021, 12, 31), 33516.49m),
            ],
            NetAmount = 48351.65m,
            VatAmount = 9186.81m,
            Amount = 57538.46m,
        });

        const string subtotal = "/ubl:Invoice/cac:TaxTotal/cac:TaxSubtotal";
        Assert.Equal("9186.81", Value(xml, "/ubl:Invoice/cac:TaxTotal/cbc:TaxAmount"));
        Assert.Equal("48351.65", Value(xml, $"{subtotal}/cbc:TaxableAmount"));
        Assert.Equal("9186.81", Value(xml, $"{subtotal}/cbc:TaxAmount"));
        Assert.Equal("S", Value(xml, $"{subtotal}/cac:TaxCategory/cbc:ID"));
        const string taxScheme = "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme";
        Assert.Equal("DE811234567", Value(xml, $"{taxScheme}/cbc:CompanyID")); // BT-31, which BR-S-02 requires
        Assert.Equal("VAT", Value(xml, $"{taxScheme}/cac:TaxScheme/cbc:ID"));
        Assert.Equal("19", Value(xml, $"{subtotal}/cac:TaxCategory/cbc:Percent"));
        Assert.Empty(Elements(xml, $"{subtotal}/cac:TaxCategory/cbc:TaxExemptionReasonCode")); // BR-S-10
        Assert.Empty(Elements(xml, $"{subtotal}/cac:TaxCategory/cbc:TaxExemptionReason"));
        Assert.All(Elements(xml, "//cac:ClassifiedTaxCategory"), c =>
        {
            Assert.Equal("S", c.Element(XName.Get("ID", CbcNs))!.Value);
            Assert.Equal("19", c.Element(XName.Get("Percent", CbcNs))!.Value);
        });
        Assert.Equal("2021-10-01", Value(xml, "/ubl:Invoice/cac:InvoicePeriod/cbc:StartDate"));
        Assert.Equal("2021-12-31", Value(xml, "/ubl:Invoice/cac:InvoicePeriod/cbc:EndDate"));
        Assert.Equal("48351.65", Value(xml, "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount"));
        Assert.Equal("48351.65", Value(xml, "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"));
        Assert.Equal("57538.46", Value(xml, "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"));
        Assert.Equal("57538.46", Value(xml, "/ubl:Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount"));

        // BR-S-09 (within its tolerance of one unit) holds for the issued figures.
        Assert.True(Math.Abs(Math.Round(48351.65m * 0.19m, 2) - 9186.81m) < 1m);
        AssertSumRules(xml);
    }

    [Fact]
    public void A_credit_note_is_a_CreditNote_381_that_refers_to_the_invoice_and_has_no_due_date()
    {
        var xml = RoundTrip(CreditNote());

        Assert.Equal(XName.Get("CreditNote", CreditNoteNs), xml.Root!.Name);
        Assert.Equal(XRechnung.CustomizationId, Value(xml, "/cn:CreditNote/cbc:CustomizationID"));
        Assert.Equal("BO-2021-0002", Value(xml, "/cn:CreditNote/cbc:ID"));
        Assert.Equal("381", Value(xml, "/cn:CreditNote/cbc:CreditNoteTypeCode"));
        Assert.Empty(Elements(xml, "/cn:CreditNote/cbc:InvoiceTypeCode"));
        Assert.Empty(Elements(xml, "//cbc:DueDate"));
        Assert.Empty(Elements(xml, "//cbc:PaymentDueDate"));
        Assert.Equal("Rechnung BO-2021-0001 wird storniert.", Value(xml, "/cn:CreditNote/cbc:Note"));
        Assert.Equal("BO-2021-0001", Value(xml, "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"));
        Assert.Equal("2021-01-11", Value(xml, "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate"));
        Assert.Equal("Der Betrag wird verrechnet oder erstattet.", Value(xml, "/cn:CreditNote/cac:PaymentTerms/cbc:Note"));
        Assert.Single(Elements(xml, "/cn:CreditNote/cac:PaymentMeans/cbc:PaymentMeansCode")); // BR-DE-1
        Assert.Empty(Elements(xml, "/cn:CreditNote/cac:InvoiceLine"));
        Assert.Equal("1", Value(xml, "/cn:CreditNote/cac:CreditNoteLine/cbc:CreditedQuantity"));
        Assert.Equal("C62", Value(xml, "/cn:CreditNote/cac:CreditNoteLine/cbc:CreditedQuantity/@unitCode"));
        Assert.Equal("29347.83", Value(xml, "/cn:CreditNote/cac:CreditNoteLine/cbc:LineExtensionAmount"));
        Assert.Equal("29347.83", Value(xml, "/cn:CreditNote/cac:LegalMonetaryTotal/cbc:PayableAmount"));
        AssertSumRules(xml);
    }

    [Fact]
    public void The_credit_notes_children_follow_the_UBL_sequence() =>
        AssertUblOrder(RoundTrip(CreditNote()), CreditNoteSequence, "CreditedQuantity");

    [Fact]
    public void A_cancelling_credit_note_with_a_negative_line_keeps_the_sums_and_no_price_is_negative()
    {
        var xml = RoundTrip(CreditNote() with
        {
            Lines =
            [
                new InvoiceLine(1, "Telefonischer Bürgerservice 02.11.2020–31.12.2020", new DateOnly(2020, 11, 2), new DateOnly(2020, 12, 31), 29347.83m),
                new InvoiceLine(2, "Gutschrift Differenz Q4 2020 (Storno)", new DateOnly(2020, 10, 1), new DateOnly(2020, 12, 31), -500.00m),
            ],
            NetAmount = 28847.83m,
            Amount = 28847.83m,
            References = [Reference("BO-2021-0001", 2021, 1, 11), Reference("BO-2021-0003", 2021, 2, 1)],
        });

        var negative = Elements(xml, "/cn:CreditNote/cac:CreditNoteLine[cbc:ID='2']").Single();
        Assert.Equal("-1", negative.Element(XName.Get("CreditedQuantity", CbcNs))!.Value);
        Assert.Equal("-500.00", negative.Element(XName.Get("LineExtensionAmount", CbcNs))!.Value);
        Assert.Equal("500.00", Value(xml, "/cn:CreditNote/cac:CreditNoteLine[cbc:ID='2']/cac:Price/cbc:PriceAmount"));
        Assert.All(Elements(xml, "//cac:Price/cbc:PriceAmount"), p => Assert.True(Decimal(p) >= 0)); // BR-27
        Assert.Equal(["BO-2021-0001", "BO-2021-0003"],
            Elements(xml, "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID").Select(e => e.Value));
        Assert.Equal("2020-10-01", Value(xml, "/cn:CreditNote/cac:InvoicePeriod/cbc:StartDate"));
        Assert.Equal("2020-12-31", Value(xml, "/cn:CreditNote/cac:InvoicePeriod/cbc:EndDate"));
        Assert.Equal("28847.83", Value(xml, "/cn:CreditNote/cac:LegalMonetaryTotal/cbc:LineExtensionAmount"));
        Assert.Equal("28847.83", Value(xml, "/cn:CreditNote/cac:LegalMonetaryTotal/cbc:PayableAmount"));
        AssertSumRules(xml);
    }

    [Fact]
    public void Text_with_XML_special_characters_round_trips()
    {
        const string name = "Stadt \"A&B\" <Test>";
        const string reason = "Korrektur: 5 < 6 & \"mehr\"";
        var document = DemoInvoice() with { Seller = DemoInvoice().Seller with { Name = name }, Reason = reason };

        var bytes = XRechnung.ToUtf8(XRechnung.Write(document));
        var xml = XDocument.Parse(Encoding.UTF8.GetString(bytes));

        Assert.Equal(name, Value(xml, "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"));
        Assert.Equal(name, Value(xml, "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:PartyName/cbc:Name"));
        Assert.Equal(name, Value(xml, "/ubl:Invoice/cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name"));
        Assert.Equal(reason, Value(xml, "/ubl:Invoice/cbc:Note"));
        Assert.Contains("A&amp;B", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Contains("&lt;Test&gt;", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void The_bytes_are_indented_UTF8_without_a_byte_order_mark_and_with_a_declaration()
    {
        var bytes = XRechnung.ToUtf8(XRechnung.Write(DemoInvoice()));
        var text = Encoding.UTF8.GetString(bytes);

        Assert.NotEqual(0xEF, bytes[0]);
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", text, StringComparison.Ordinal);
        Assert.Contains("\n  <cbc:CustomizationID>", text, StringComparison.Ordinal);
        Assert.Contains("Bürgerservice", text, StringComparison.Ordinal);
        Assert.Contains("§ 2b UStG", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_contact_name_falls_back_to_the_seller_and_missing_phone_and_reason_are_left_out()
    {
        var demo = DemoInvoice();
        var xml = RoundTrip(demo with { Seller = demo.Seller with { ContactName = null, ContactPhone = null }, Reason = " ", DueOn = null });

        const string contact = "/ubl:Invoice/cac:AccountingSupplierParty/cac:Party/cac:Contact";
        Assert.Equal("Stadt Bochum", Value(xml, $"{contact}/cbc:Name"));
        Assert.Empty(Elements(xml, $"{contact}/cbc:Telephone"));
        Assert.Equal("servicecenter@bochum.de", Value(xml, $"{contact}/cbc:ElectronicMail"));
        Assert.Empty(Elements(xml, "/ubl:Invoice/cbc:Note"));
        Assert.Empty(Elements(xml, "/ubl:Invoice/cbc:DueDate"));
        Assert.Equal("Zahlbar sofort ohne Abzug.", Value(xml, "/ubl:Invoice/cac:PaymentTerms/cbc:Note")); // BR-CO-25
        Assert.DoesNotContain(xml.Descendants(), e => !e.HasElements && string.IsNullOrWhiteSpace(e.Value));
    }

    // ---- The demo case ----

    internal static Invoice DemoInvoice()
    {
        var seller = new Provider("bochum", "Stadt Bochum", "BO", "Willy-Brandt-Platz 2-6", "44777", "Bochum",
            "DE86430500010000000000", "servicecenter@bochum.de", "Servicecenter Bochum", "+49 234 910-0");
        var buyer = new Client("castrop-rauxel", "Stadt Castrop-Rauxel", "NW", "05916004-0001-21", "Europaplatz 1", "44575", "Castrop-Rauxel");
        InvoiceLine[] lines =
        [
            new(1, "Telefonischer Bürgerservice 02.11.2020–31.12.2020", new DateOnly(2020, 11, 2), new DateOnly(2020, 12, 31), 29347.83m),
        ];
        return new Invoice(
            "invoice:inv-1", "inv-1", "BO-2021-0001", 1, DocumentKind.Invoice, "bochum-castrop-rauxel", seller.Id, buyer.Id,
            2020, 4, new DateOnly(2021, 1, 11), new DateOnly(2021, 2, 10), seller, buyer, VatTreatment.NotSubject, lines,
            29347.83m, 0m, 29347.83m, [], false, null, new DateTimeOffset(2021, 1, 11, 9, 0, 0, TimeSpan.FromHours(1)), null, []);
    }

    private static Invoice CreditNote() => DemoInvoice() with
    {
        Id = "invoice:inv-2",
        InvoiceId = "inv-2",
        Number = "BO-2021-0002",
        Sequence = 2,
        Kind = DocumentKind.CreditNote,
        IssuedOn = new DateOnly(2021, 1, 20),
        DueOn = null,
        References = [Reference("BO-2021-0001", 2021, 1, 11)],
        Cancels = true,
        Reason = "Rechnung BO-2021-0001 wird storniert.",
    };

    private static DocumentReference Reference(string number, int year, int month, int day) =>
        new("id-" + number, number, new DateOnly(year, month, day));

    // ---- Reading the XML back ----

    private static XDocument RoundTrip(Invoice document) =>
        XDocument.Parse(Encoding.UTF8.GetString(XRechnung.ToUtf8(XRechnung.Write(document))));

    private static XmlNamespaceManager Namespaces()
    {
        var ns = new XmlNamespaceManager(new NameTable());
        ns.AddNamespace("ubl", InvoiceNs);
        ns.AddNamespace("cn", CreditNoteNs);
        ns.AddNamespace("cac", CacNs);
        ns.AddNamespace("cbc", CbcNs);
        return ns;
    }

    private static List<XElement> Elements(XDocument xml, string path) => [.. xml.XPathSelectElements(path, Namespaces())];

    /// <summary>The text of the one element or attribute at <paramref name="path"/>.</summary>
    private static string Value(XDocument xml, string path)
    {
        var found = ((IEnumerable<object>)xml.XPathEvaluate(path, Namespaces())).ToList();
        Assert.True(found.Count == 1, $"Expected exactly one node at {path}, found {found.Count}.");
        return found[0] switch
        {
            XElement e => e.Value,
            XAttribute a => a.Value,
            var other => other.ToString()!,
        };
    }

    private static decimal Decimal(XElement amount) => decimal.Parse(amount.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static decimal Amount(XDocument xml, string path) => Decimal(Elements(xml, path).Single());

    private static decimal AmountOrZero(XDocument xml, string path) => Elements(xml, path).SingleOrDefault() is { } e ? Decimal(e) : 0m;

    private static List<string> ChildNames(XElement element) => [.. element.Elements().Select(e => e.Name.LocalName)];

    /// <summary>These documents use every child the writer adds, so the root's children are the whole sequence.</summary>
    private static void AssertUblOrder(XDocument xml, string[] sequence, string quantity)
    {
        Assert.Equal(sequence, ChildNames(xml.Root!));
        Assert.Equal(["ID", quantity, "LineExtensionAmount", "InvoicePeriod", "Item", "Price"], ChildNames(xml.Root!.Elements().Last()));
    }

    /// <summary>EN 16931's sum rules, the amounts' currency and two decimals, and quantity × price per line.</summary>
    private static void AssertSumRules(XDocument xml)
    {
        var r = xml.Root!.Name.LocalName == "Invoice" ? "/ubl:Invoice" : "/cn:CreditNote";
        var totals = $"{r}/cac:LegalMonetaryTotal";
        var lines = Elements(xml, $"{r}/cac:InvoiceLine | {r}/cac:CreditNoteLine");
        var lineExtension = Amount(xml, $"{totals}/cbc:LineExtensionAmount");
        var taxExclusive = Amount(xml, $"{totals}/cbc:TaxExclusiveAmount");
        var taxInclusive = Amount(xml, $"{totals}/cbc:TaxInclusiveAmount");
        var payable = Amount(xml, $"{totals}/cbc:PayableAmount");
        var taxTotal = Amount(xml, $"{r}/cac:TaxTotal/cbc:TaxAmount");

        Assert.NotEmpty(lines);
        Assert.Equal(lines.Sum(l => Decimal(l.Element(XName.Get("LineExtensionAmount", CbcNs))!)), lineExtension); // BR-CO-10
        Assert.Equal(lineExtension - AmountOrZero(xml, $"{totals}/cbc:AllowanceTotalAmount")
            + AmountOrZero(xml, $"{totals}/cbc:ChargeTotalAmount"), taxExclusive); // BR-CO-13
        Assert.Equal(Elements(xml, $"{r}/cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount").Sum(Decimal), taxTotal); // BR-CO-14
        Assert.Equal(taxExclusive + taxTotal, taxInclusive); // BR-CO-15
        Assert.Equal(taxInclusive - AmountOrZero(xml, $"{totals}/cbc:PrepaidAmount")
            + AmountOrZero(xml, $"{totals}/cbc:PayableRoundingAmount"), payable); // BR-CO-16

        foreach (var line in lines)
        {
            var quantity = decimal.Parse(line.Elements().Single(e => e.Name.LocalName.EndsWith("Quantity", StringComparison.Ordinal)).Value,
                NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var price = Decimal(line.Element(XName.Get("Price", CacNs))!.Element(XName.Get("PriceAmount", CbcNs))!);
            Assert.True(price >= 0); // BR-27
            Assert.Equal(Decimal(line.Element(XName.Get("LineExtensionAmount", CbcNs))!), quantity * price);
        }

        var amounts = xml.Descendants().Where(e => e.Attribute("currencyID") is not null).ToList();
        Assert.NotEmpty(amounts);
        Assert.All(amounts, a =>
        {
            Assert.Equal("EUR", a.Attribute("currencyID")!.Value);
            Assert.Matches(TwoDecimals(), a.Value);
        });
    }

    [GeneratedRegex(@"^-?[0-9]+\.[0-9]{2}$")]
    private static partial Regex TwoDecimals();
}
