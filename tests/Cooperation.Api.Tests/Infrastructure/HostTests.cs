using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

public sealed class HostTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Health_needs_no_token_and_reports_the_database()
    {
        var health = await Send(HttpMethod.Get, "/health", null, null, 200);

        Assert.Equal("healthy", (string)health["status"]!);
        Assert.Equal("healthy", (string)health["checks"]!["database"]!["status"]!);
    }

    [Fact]
    public async Task The_OpenAPI_document_needs_no_token_and_lists_the_contract_endpoints()
    {
        var document = await Send(HttpMethod.Get, "/swagger/v1/swagger.json", null, null, 200);

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/contracts", paths);
        Assert.Contains("/api/contracts/{contractId}", paths);
        Assert.Contains("/api/contracts/{contractId}/service-lines", paths);
        Assert.Contains("/api/contracts/{contractId}/fee-amendments", paths);
        Assert.Contains("/api/contracts/{contractId}/kpi-settings", paths);
        Assert.Contains("/api/contracts/{contractId}/termination", paths);
        Assert.Contains("/api/calls/batch", paths);
        Assert.Contains("/api/referrals", paths);
        Assert.Contains("/api/appointments/{appointmentId}", paths);

        // The report documents its answer, JSON and CSV alike.
        var report = document["paths"]!["/api/reports/quarterly/{contractId}/{year}/{quarter}"]!["get"]!["responses"]!["200"]!["content"]!;
        Assert.EndsWith("QuarterlyReport", (string)report["application/json"]!["schema"]!["$ref"]!);
        Assert.NotNull(report["text/csv"]);
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem_details()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/nothing-here");
            s.WithBearerToken(Tokens.Auditor);
            s.StatusCodeShouldBe(404);
        });

        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Equal(404, (int)JsonNode.Parse(await result.ReadAsTextAsync())!["status"]!);
    }
}
