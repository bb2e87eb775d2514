using System.Text;
using System.Text.Json.Nodes;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>Input read strictly, and odd input that once gave a 500 kept as a test.</summary>
public sealed class StrictInputTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Acd = Tokens.For("service-centre", "bochum", "acd");

    [Theory]
    [InlineData("12.04.2021 10:00:00 +02:00")]
    [InlineData("Mon, 12 Apr 2021 08:00:00 GMT")]
    [InlineData("04/12/2021 10:00 +02:00")]
    [InlineData("2021-04-12 10:00:00+02:00")]
    [InlineData("2021-04-12T10:00:00")]
    public async Task Instants_in_a_body_other_than_RFC_3339_with_offset_are_400_naming_the_field(string instant)
    {
        var contract = await GivenContract();
        await Refused("/api/calls", new JsonObject
        {
            ["callId"] = UniqueId("c"), ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = instant,
        }, Acd, 400, "offeredAt", "RFC 3339");
        await Refused("/api/appointments", new JsonObject
        {
            ["contractId"] = contract, ["service"] = "Personalausweis", ["startsAt"] = instant,
        }, Acd, 400, "startsAt", "RFC 3339");
    }

    [Fact]
    public async Task An_asOf_means_the_same_instant_whatever_its_offset()
    {
        var contract = await GivenContract();
        var signedAt = DateTimeOffset.UtcNow.AddSeconds(1);
        var report = $"/api/reports/quarterly/{contract}/2021/1";
        for (var hours = -12; hours <= 14; hours++)
        {
            var offset = TimeSpan.FromHours(hours);
            var asOf = Uri.EscapeDataString(signedAt.ToOffset(offset).ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture));

            var view = await Get($"/api/contracts/{contract}?asOf={asOf}", Tokens.Auditor);
            Assert.Equal(1, (int)view["version"]!);
            await Get($"{report}?asOf={asOf}", Tokens.Auditor);
            await Get($"/api/reconciliation/{contract}/2021?asOf={asOf}", Tokens.Auditor);
        }
    }

    [Fact]
    public async Task An_asOf_with_its_plus_not_encoded_is_400_saying_so()
    {
        var contract = await GivenContract();

        await RefusedGet($"/api/contracts/{contract}?asOf=2021-04-15T12:00:00+02:00", Tokens.Auditor, 400, "asOf", "%2B");
    }

    [Theory]
    [InlineData("text/csv")]
    [InlineData("application/xml")]
    [InlineData("image/png")]
    public async Task A_problem_is_problem_json_whatever_the_client_accepts(string accept)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/reports/quarterly/no-such-contract/2021/1");
            s.WithBearerToken(Tokens.Auditor);
            s.WithRequestHeader("Accept", accept);
            s.StatusCodeShouldBe(404);
        });

        await ProblemOf(result, 404);
    }

    [Theory]
    [InlineData("/api/referrals?contractId=bochum-castrop-rauxel&status=open%01", "status")]
    [InlineData("/api/referrals?contractId=bochum-castrop-rauxel&department=a%00b", "department")]
    [InlineData("/api/appointments?contractId=bochum-castrop-rauxel&callId=%1B", "callId")]
    [InlineData("/api/invoices?contractId=bochum-castrop-rauxel&status=%00", "status")]
    public async Task Control_characters_in_a_query_parameter_are_400_naming_it(string url, string parameter) =>
        await RefusedGet(url, Tokens.Auditor, 400, parameter, "control characters");

    [Fact]
    public async Task Parameter_names_that_differ_only_in_control_characters_are_400_not_500()
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url("/api/referrals?a%01=1&a%02=2");
            s.WithBearerToken(Tokens.Auditor);
            s.StatusCodeShouldBe(400);
        });

        await ProblemOf(result, 400, "a?", "control characters");
        Assert.False(string.IsNullOrEmpty(result.Context.Response.Headers["X-Correlation-ID"].ToString()), "a problem carries its correlation id");
    }

    [Fact]
    public async Task Control_characters_in_a_path_are_404() =>
        await RefusedGet("/api/calls/a%01b", Tokens.Auditor, 404);

    [Fact]
    public async Task A_null_service_line_is_400_naming_it()
    {
        var body = ContractRequests.Sign(UniqueId("contract"));
        body["serviceLines"]!.AsArray().Add(null);

        await Refused("/api/contracts", body, Tokens.ContractAdmin(), 400, "serviceLines[1]", "not null");
    }

    [Theory]
    [InlineData("attended")]
    [InlineData("missed")]
    public async Task A_null_body_is_400_also_where_the_body_holds_nothing(string step)
    {
        var id = UniqueId("apt");
        await Post("/api/appointments", new JsonObject
        {
            ["appointmentId"] = id, ["contractId"] = await GivenContract(), ["service"] = "Personalausweis", ["startsAt"] = "2021-03-02T10:00:00+01:00",
        }, Acd, 201);

        await Refused($"/api/appointments/{id}/{step}", "null", Acd, 400, "$", "JSON object");
    }

    [Fact]
    public async Task A_body_a_byte_over_the_endpoints_limit_is_413_naming_the_limit_and_stores_nothing_and_one_at_the_limit_is_taken()
    {
        // Spaces after the JSON are still the same JSON: a real contract, padded to the limit.
        var json = ContractRequests.Sign(UniqueId("contract")).ToJsonString();
        var atLimit = json + new string(' ', BodyLimit.DefaultMaxBody - Encoding.UTF8.GetByteCount(json));

        var problem = await Refused("/api/contracts", atLimit + " ", Tokens.ContractAdmin(), 413);
        Assert.Equal("A request body of this endpoint holds at most 65,536 bytes (64 KB).", (string)problem["detail"]!);
        await Send(HttpMethod.Post, "/api/contracts", atLimit, Tokens.ContractAdmin(), 201);

        // Far over it: refused from its Content-Length, unread.
        var huge = ContractRequests.Sign(UniqueId("contract")).With("provider.name", new string('x', 5 * 1024 * 1024));
        await Refused("/api/contracts", huge, Tokens.ContractAdmin(), 413);

        // Where no body is taken none is read: a POST to what only answers GET is 405, whatever it carries.
        await Send(HttpMethod.Post, $"/api/contracts/{UniqueId("contract")}", atLimit + " ", Tokens.ContractAdmin(), 405);
        await Send(HttpMethod.Post, "/health", atLimit + " ", null, 405);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_exactly_what_the_kpi_settings_change_takes()
    {
        var document = await Get("/swagger/v1/swagger.json", Tokens.Auditor);
        var body = document["paths"]!["/api/contracts/{contractId}/kpi-settings"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var name = ((string)body["$ref"]!).Split('/').Last();
        var properties = document["components"]!["schemas"]![name]!["properties"]!.AsObject().Select(p => p.Key).Order();

        Assert.Equal(
            ["effectiveFrom", "firstContactResolutionTargetPercent", "serviceLevelSeconds", "serviceLevelTargetPercent", "shortAbandonSeconds"],
            properties);
    }
}
