using System.Text;
using System.Xml.Linq;
using Cooperation.Api.Billing;

namespace Cooperation.Api.Tests.Billing;

/// <summary>The validator itself rejects what the KoSIT validator rejects before any Schematron (so no Java start).</summary>
public class XRechnungValidatorTests
{
    private const string CbcNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

    [Fact]
    public async Task A_document_breaking_the_UBL_schema_or_of_another_profile_is_rejected_before_the_Schematron()
    {
        var valid = XDocument.Parse(Encoding.UTF8.GetString(XRechnung.ToUtf8(XRechnung.Write(XRechnungTests.DemoInvoice()))));
        var outOfOrder = new XDocument(valid);
        var id = outOfOrder.Root!.Element(XName.Get("ID", CbcNs))!;
        id.Remove();
        outOfOrder.Root.Add(id); // cbc:ID after the lines breaks the UBL sequence
        var otherProfile = new XDocument(valid);
        otherProfile.Root!.Element(XName.Get("CustomizationID", CbcNs))!.Value = "urn:cen.eu:en16931:2017";

        var findings = await XRechnungValidator.ValidateAsync(new Dictionary<string, byte[]>
        {
            ["out of order"] = Encoding.UTF8.GetBytes(outOfOrder.ToString()),
            ["other profile"] = Encoding.UTF8.GetBytes(otherProfile.ToString()),
        });

        Assert.Equal(("XSD", "error"), (findings["out of order"][0].Step, findings["out of order"][0].Level));
        Assert.All(findings["out of order"], f => Assert.Equal("XSD", f.Step));
        Assert.Equal("NO-SCENARIO", Assert.Single(findings["other profile"]).Id);
    }
}
