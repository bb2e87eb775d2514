using Cooperation.Api.Tests.Fixtures;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace Cooperation.Api.Tests.Billing;

/// <summary>One failed rule: its id (BR-DE-6, XSD, …), level after KoSIT's overrides, text and where.</summary>
public sealed record RuleFinding(string Step, string Id, string Level, string Text, string Location)
{
    public override string ToString() => $"[{Level}] {Id} ({Step}) at {(Location.Length == 0 ? "-" : Location)}: {Text}";
}

/// <summary>
/// Validates XRechnung 3.0 UBL documents as the KoSIT validator does (see XRechnungRules/README.md):
/// scenario from the root and CustomizationID, the UBL 2.1 XSD (in .NET), then the CEN EN 16931 and the
/// XRechnung Schematron (XSLT 2.0, Saxon-HE) for every document in ONE Java process. Installs Java and
/// Saxon-HE with apt when missing (as root), like Cooperation.LocalPostgres does for PostgreSQL.
/// </summary>
public static class XRechnungValidator
{
    public const string SaxonJar = "/usr/share/java/Saxon-HE.jar";
    private const string CustomizationId = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
    private const string InvoiceNs = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
    private const string CreditNoteNs = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
    private const string CbcNs = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
    private static readonly XNamespace Svrl = "http://purl.oclc.org/dsdl/svrl";
    private static readonly SemaphoreSlim Installing = new(1, 1);

    private static string Rules => Path.Combine(AppContext.BaseDirectory, "Billing", "XRechnungRules");

    /// <summary>KoSIT's customLevel of the XRechnung scenarios (validator-configuration-xrechnung v2026-01-31).</summary>
    private static readonly Dictionary<string, Dictionary<string, string>> CustomLevels = new()
    {
        ["Invoice"] = new() { ["BR-CL-23"] = "warning", ["BR-CL-21"] = "warning", ["UBL-CR-646"] = "error" },
        ["CreditNote"] = new() { ["BR-CL-23"] = "warning", ["BR-CL-21"] = "warning" },
    };

    /// <summary>Every finding per document name (warnings included; filter on <c>Level == "error"</c>).</summary>
    public static async Task<Dictionary<string, List<RuleFinding>>> ValidateAsync(IReadOnlyDictionary<string, byte[]> documents)
    {
        await EnsureToolsAsync(Console.WriteLine);
        var findings = documents.Keys.ToDictionary(name => name, _ => new List<RuleFinding>());
        var schemas = Schemas();
        var passed = new List<(string Name, string Root)>();
        foreach (var (name, bytes) in documents)
        {
            var (root, problem) = Scenario(bytes);
            if (problem is not null)
            {
                findings[name].Add(new("scenario", "NO-SCENARIO", "error", problem, ""));
                continue;
            }

            findings[name].AddRange(CheckXsd(bytes, schemas));
            if (findings[name].Count == 0)
            {
                passed.Add((name, root!)); // the KoSIT validator skips Schematron when the XSD fails
            }
        }

        if (passed.Count > 0)
        {
            await RunSchematronAsync(passed, documents, findings);
        }

        return findings;
    }

    /// <summary>Java and Saxon-HE, installed with apt when missing and the process is root.</summary>
    public static async Task EnsureToolsAsync(Action<string> log)
    {
        await Installing.WaitAsync();
        try
        {
            var java = Tools.OnPath("java");
            if (java && File.Exists(SaxonJar))
            {
                return;
            }

            var missing = string.Join(" and ", new[] { java ? null : "java", File.Exists(SaxonJar) ? null : SaxonJar }.OfType<string>());
            if (Environment.UserName != "root")
            {
                throw new InvalidOperationException(
                    $"The XRechnung validation needs {missing}, and only root can install them here: " +
                    "run `apt-get install -y default-jre-headless libsaxonhe-java` once, or the tests as root.");
            }

            log($"XRechnung validation: {missing} missing, installing default-jre-headless and libsaxonhe-java with apt (a minute or two) …");
            await Tools.AptInstallAsync(["default-jre-headless", "libsaxonhe-java"], log);
            if (!Tools.OnPath("java") || !File.Exists(SaxonJar))
            {
                throw new InvalidOperationException($"apt installed the packages, but {missing} is still missing.");
            }

            log("XRechnung validation: Java and Saxon-HE installed.");
        }
        finally
        {
            Installing.Release();
        }
    }

    private static (string? Root, string? Problem) Scenario(byte[] bytes)
    {
        XDocument xml;
        try
        {
            xml = XDocument.Load(new MemoryStream(bytes));
        }
        catch (XmlException e)
        {
            return (null, $"not well-formed XML: {e.Message}");
        }

        var root = xml.Root!.Name;
        var kind = root == XName.Get("Invoice", InvoiceNs) ? "Invoice" : root == XName.Get("CreditNote", CreditNoteNs) ? "CreditNote" : null;
        if (kind is null)
        {
            return (null, $"root element {root} is neither a UBL Invoice-2 nor a CreditNote-2");
        }

        var id = xml.Root.Element(XName.Get("CustomizationID", CbcNs))?.Value;
        return id == CustomizationId ? (kind, null) : (null, $"no XRechnung scenario for {kind} with CustomizationID '{id}'");
    }

    private static XmlSchemaSet Schemas()
    {
        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Parse, XmlResolver = new XmlUrlResolver() };
        foreach (var file in new[] { "UBL-Invoice-2.1.xsd", "UBL-CreditNote-2.1.xsd" })
        {
            using var reader = XmlReader.Create(Path.Combine(Rules, "ubl", "2.1", "xsd", "maindoc", file), settings);
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    }

    private static List<RuleFinding> CheckXsd(byte[] bytes, XmlSchemaSet schemas)
    {
        var found = new List<RuleFinding>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => found.Add(new("XSD", "XSD", "error", e.Message, $"line {e.Exception.LineNumber}"));
        using var reader = XmlReader.Create(new MemoryStream(bytes), settings);
        while (reader.Read())
        {
        }

        return found;
    }

    private static async Task RunSchematronAsync(
        List<(string Name, string Root)> documents, IReadOnlyDictionary<string, byte[]> bytes, Dictionary<string, List<RuleFinding>> findings)
    {
        var work = Directory.CreateTempSubdirectory("xrechnung-");
        try
        {
            var files = new List<string>();
            for (var i = 0; i < documents.Count; i++)
            {
                var file = Path.Combine(work.FullName, $"{i + 1}.xml");
                await File.WriteAllBytesAsync(file, bytes[documents[i].Name]);
                files.Add(file);
            }

            (string Step, string Path)[] stylesheets =
            [
                ("EN16931", Path.Combine(Rules, "ubl", "2.1", "xsl", "EN16931-UBL-validation.xsl")),
                ("XRechnung", Path.Combine(Rules, "xrechnung", "3.0.2", "xsl", "XRechnung-UBL-validation.xsl")),
            ];
            var output = await Tools.RunAsync("java",
            [
                "-cp", SaxonJar, "net.sf.saxon.Transform", "-it", $"-xsl:{Path.Combine(Rules, "validate-all.xsl")}",
                $"files={string.Join('|', files)}", $"stylesheets={string.Join('|', stylesheets.Select(s => s.Path))}", $"out={work.FullName}",
            ], log: null);

            for (var i = 0; i < documents.Count; i++)
            {
                var (name, root) = documents[i];
                for (var n = 0; n < stylesheets.Length; n++)
                {
                    var report = Path.Combine(work.FullName, $"{i + 1}.{n + 1}.svrl.xml");
                    if (!File.Exists(report))
                    {
                        findings[name].Add(new(stylesheets[n].Step, "SAXON", "error", $"no SVRL report: {output[^Math.Min(500, output.Length)..]}", ""));
                        continue;
                    }

                    findings[name].AddRange(ReadSvrl(XDocument.Load(report), stylesheets[n].Step, CustomLevels[root]));
                }
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>KoSIT's levels: flag or role fatal/error → error, warning/warn → warning, information/info → information, none → error.</summary>
    private static IEnumerable<RuleFinding> ReadSvrl(XDocument svrl, string step, Dictionary<string, string> custom) =>
        svrl.Descendants()
            .Where(e => e.Name == Svrl + "failed-assert" || e.Name == Svrl + "successful-report")
            .Select(e =>
            {
                var marks = new[] { (string?)e.Attribute("flag"), (string?)e.Attribute("role") };
                var level = marks.Any(m => m is "fatal" or "error") ? "error"
                    : marks.Any(m => m is "warning" or "warn") ? "warning"
                    : marks.Any(m => m is "information" or "info") ? "information"
                    : "error";
                var id = (string?)e.Attribute("id") ?? "UNSPECIFIC";
                var text = string.Join(' ', (e.Element(Svrl + "text")?.Value ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                return new RuleFinding(step, id, custom.GetValueOrDefault(id, level), text, (string?)e.Attribute("location") ?? string.Empty);
            });
}
