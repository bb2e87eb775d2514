using Cooperation.Api.Tests.Fixtures;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.OpenApi;

/// <summary>The service's own OpenAPI document passes Spectral's OAS and OWASP API Security rulesets (ADR 23).</summary>
[Collection("api")]
public sealed class OpenApiLintTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    /// <summary>The warnings that stay, each for a reason (ADR 23); any other finding fails the test.</summary>
    private static readonly Dictionary<string, string> AcceptedWarnings = new(StringComparer.Ordinal)
    {
        ["owasp:api4:2023-string-restricted"] = "free text (names, streets, reasons, topics) has no format or pattern by nature",
        ["owasp:api3:2023-no-additionalProperties"] = "problem details are extensible by RFC 9457 (errors, correlationId)",
        ["owasp:api3:2023-constrained-additionalProperties"] = "problem details are extensible by RFC 9457 (errors, correlationId)",
    };

    [Fact]
    public async Task The_OpenAPI_document_has_no_error_and_only_the_accepted_warnings_under_the_OAS_and_OWASP_rulesets()
    {
        var document = await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"));
        var findings = await Spectral.LintAsync(await document.ReadAsTextAsync(), output.WriteLine);

        foreach (var rule in findings.GroupBy(f => (f.Severity, f.Code)).OrderBy(g => g.Key))
        {
            output.WriteLine($"severity {rule.Key.Severity} {rule.Key.Code}: {rule.Count()} (e.g. {rule.First().Path}: {rule.First().Message})"
                + (AcceptedWarnings.TryGetValue(rule.Key.Code, out var why) ? $" — accepted: {why}" : string.Empty));
        }

        // An error, or a warning no reason covers (also "unrecognized-format": a document Spectral could not read).
        var failing = findings
            .Where(f => f.Severity == 0 || !AcceptedWarnings.ContainsKey(f.Code))
            .Select(f => $"{f.Code} (severity {f.Severity}) at {f.Path}: {f.Message}")
            .ToList();
        Assert.True(failing.Count == 0, $"{failing.Count} findings:\n{string.Join('\n', failing.Take(50))}");
    }
}
