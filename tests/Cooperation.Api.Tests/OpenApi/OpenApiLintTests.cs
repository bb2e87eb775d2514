using Cooperation.Api.Tests.Fixtures;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.OpenApi;

/// <summary>The service's own OpenAPI document passes Spectral's OAS and OWASP API Security rulesets (ADR 23).</summary>
[Collection("api")]
public sealed class OpenApiLintTests(AppFixture app, ITestOutputHelper output) : ApiTest(app)
{
    [Fact]
    public async Task The_OpenAPI_document_has_no_error_under_the_OAS_and_OWASP_rulesets()
    {
        var document = await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"));
        var findings = await Spectral.LintAsync(await document.ReadAsTextAsync(), output.WriteLine);

        foreach (var rule in findings.Where(f => f.Severity > 0).GroupBy(f => f.Code).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"warning {rule.Key}: {rule.Count()} (e.g. {rule.First().Path}: {rule.First().Message})");
        }

        var errors = findings.Where(f => f.Severity == 0).Select(f => $"{f.Code} at {f.Path}: {f.Message}").ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} errors:\n{string.Join('\n', errors.Take(50))}");
    }
}
