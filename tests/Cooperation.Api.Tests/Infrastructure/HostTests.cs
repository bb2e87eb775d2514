using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;

namespace Cooperation.Api.Tests.Infrastructure;

public sealed class HostTests(AppFixture fixture) : ApiTest(fixture)
{
    [Fact]
    public async Task Health_needs_no_token_and_reports_the_database()
    {
        await Fixture.ProjectionsCaughtUpAsync();
        var health = await Send(HttpMethod.Get, "/health", null, null, 200);

        Assert.Equal("healthy", (string)health["status"]!);
        Assert.Equal("healthy", (string)health["checks"]!["database"]!["status"]!);
        Assert.Equal(0, (long)health["checks"]!["reports"]!["data"]!["eventsBehind"]!);
    }

    [Fact]
    public async Task Health_says_how_far_the_reports_are_behind_and_is_degraded_past_the_allowed_lag()
    {
        var coordinator = Host.Services.GetRequiredService<IProjectionCoordinator>();
        await Fixture.ProjectionsCaughtUpAsync();
        await coordinator.PauseAsync();
        JsonNode reports;
        try
        {
            await GivenContract();
            var waited = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                reports = (await Send(HttpMethod.Get, "/health", null, null, 200))["checks"]!["reports"]!;
            }
            while ((string)reports["status"]! == "healthy" && waited.Elapsed < TimeSpan.FromSeconds(20));
        }
        finally
        {
            await coordinator.ResumeAsync();
        }

        // The fixture allows one second (Cooperation__ReportsMaxLag).
        Assert.Equal("degraded", (string)reports["status"]!);
        Assert.True((long)reports["data"]!["eventsBehind"]! >= 1);
        Assert.True((double)reports["data"]!["secondsBehind"]! >= 1);

        await Fixture.ProjectionsCaughtUpAsync();
        var health = await Send(HttpMethod.Get, "/health", null, null, 200);
        Assert.Equal("healthy", (string)health["checks"]!["reports"]!["status"]!);
    }

    [Fact]
    public async Task On_a_new_store_the_audit_digests_written_at_start_do_not_count_as_reports_lagging()
    {
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?> { ["Cooperation__DailyDigest"] = "true" });
        var store = own.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((await store.Advanced.FetchEventStoreStatistics()).EventCount == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "No digest was written at start");
            await Task.Delay(100);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past the fixture's allowed lag of one second

        var health = (await own.Host.Scenario(s => s.Get.Url("/health"))).ReadAsJson<JsonNode>()!;
        Assert.Equal(0, (long)health["checks"]!["reports"]!["data"]!["eventsBehind"]!);
        Assert.Equal("healthy", (string)health["checks"]!["reports"]!["status"]!);
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

        // Billing: every endpoint, the XRechnung as XML, the reconciliation's shape.
        Assert.Contains("/api/invoices", paths);
        Assert.Contains("/api/invoices/{invoiceId}/credit-note", paths);
        Assert.Contains("/api/invoices/{invoiceId}/adjustments", paths);
        Assert.Contains("/api/invoices/{invoiceId}/payments", paths);
        Assert.NotNull(document["paths"]!["/api/invoices/{invoiceId}/xrechnung"]!["get"]!["responses"]!["200"]!["content"]!["application/xml"]);
        var reconciliation = document["paths"]!["/api/reconciliation/{contractId}/{year}"]!["get"]!["responses"]!["200"]!["content"]!;
        Assert.EndsWith("Reconciliation", (string)reconciliation["application/json"]!["schema"]!["$ref"]!);
        var issue = document["paths"]!["/api/invoices"]!["post"]!;
        Assert.EndsWith("IssueInvoice", (string)issue["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!);
        Assert.NotNull(issue["responses"]!["201"]);
        Assert.NotNull(issue["responses"]!["409"]);
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
