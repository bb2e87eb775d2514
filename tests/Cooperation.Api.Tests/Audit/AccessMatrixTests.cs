using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cooperation.Api.Tests.Fixtures;
using Cooperation.Api.Tests.OpenApi;

namespace Cooperation.Api.Tests.Audit;

/// <summary>
/// The access matrix of the README, held to every endpoint the OpenAPI document lists (a new endpoint joins by
/// itself and fails until the README says who may call it): every role with no municipality, with a party of the
/// contract and with another city; an expired token, one signed with another key, an unsigned one and none (401); a
/// token without a role (403).
/// </summary>
public sealed partial class AccessMatrixTests(AppFixture fixture) : AuditTest(fixture)
{
    private static readonly string[] Roles = ["contract-admin", "service-centre", "department", "finance", "auditor"];

    /// <summary>Per endpoint ("GET /api/…"), per role, the README's cell: "" not allowed, "✓" allowed, "✓¹" only without a
    /// municipality, "✓²" only for the contract's client city.</summary>
    private static Dictionary<string, Dictionary<string, string>> Matrix()
    {
        var readme = File.ReadAllLines(Path.Combine(Tools.RepositoryRoot(), "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("### Access matrix", StringComparison.Ordinal));
        Assert.True(start >= 0, "The README has no access matrix.");
        var header = readme.Skip(start).First(l => l.StartsWith("| endpoint", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToArray();
        var matrix = new Dictionary<string, Dictionary<string, string>>();
        foreach (var line in readme.Skip(start).SkipWhile(l => !l.StartsWith("| `", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            matrix[cells[1].Trim('`')] = Roles.ToDictionary(r => r, r => cells[Array.IndexOf(header, r)] is var cell && cell is "" or "✓" or "✓¹" or "✓²"
                ? cell
                : throw new InvalidOperationException($"Unknown cell in the access matrix: {line}"));
        }

        return matrix;
    }

    private async Task<IReadOnlyList<string>> EndpointsAsync()
    {
        var document = await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"));
        var paths = JsonNode.Parse(await document.ReadAsTextAsync())!["paths"]!.AsObject();
        return [.. paths.SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}")).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task The_readme_names_who_may_call_every_endpoint_and_no_other()
    {
        Assert.Equal(await EndpointsAsync(), Matrix().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_endpoint_answers_every_caller_as_the_matrix_says()
    {
        var streams = await GivenOneStreamOfEachKind();
        string IdOf(string kind) => streams[kind][(streams[kind].IndexOf(':', StringComparison.Ordinal) + 1)..];
        var contract = IdOf("contract");
        var provider = (string)(await Get($"/api/contracts/{contract}", Auditor))["provider"]!["id"]!;
        var values = new Dictionary<string, string>
        {
            ["contractId"] = contract, ["callId"] = IdOf("call"), ["referralId"] = IdOf("referral"), ["appointmentId"] = IdOf("appointment"),
            ["invoiceId"] = IdOf("invoice"), ["streamId"] = streams["contract"], ["code"] = "buergerbuero", ["year"] = "2021",
            ["quarter"] = "1", ["date"] = "2021-03-10",
        };
        var failures = new List<string>();
        // Every 2xx answer met here is also held to what the document declares for it (status, media type, schema).
        var document = JsonNode.Parse(await (await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"))).ReadAsTextAsync())!;
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        // A valid request for every endpoint, so that what answers another city is the city check, not validation.
        var bodies = new Dictionary<string, string>
        {
            ["POST /api/appointments"] = $$"""{"appointmentId":"{{UniqueId("a")}}","contractId":"{{contract}}","service":"Reisepass","startsAt":"2021-03-10T10:00:00+01:00"}""",
            ["POST /api/appointments/{appointmentId}/rescheduled"] = """{"startsAt":"2021-03-12T10:00:00+01:00"}""",
            ["POST /api/calls"] = $$"""{"callId":"{{UniqueId("c")}}","contractId":"{{contract}}","serviceLine":"buergerbuero","offeredAt":"2021-03-05T09:00:00+01:00"}""",
            ["POST /api/calls/{callId}/abandoned"] = """{"abandonedAt":"2021-03-01T09:00:40+01:00"}""",
            ["POST /api/calls/{callId}/answered"] = """{"answeredAt":"2021-03-01T09:00:20+01:00","agentId":"a-1"}""",
            ["POST /api/calls/{callId}/completed"] = """{"completedAt":"2021-03-01T09:04:00+01:00","outcome":"resolved"}""",
            ["POST /api/calls/{callId}/corrections"] = """{"reason":"Zeit falsch","answeredAt":"2021-03-01T09:00:25+01:00"}""",
            ["POST /api/contracts"] = ContractRequests.Sign(UniqueId("contract"), provider: provider)
                .With("provider.contactName", "Servicecenter").With("provider.contactPhone", "+49 234 910-0").ToJsonString(),
            ["POST /api/contracts/{contractId}/closure-days"] = """{"date":"2021-07-01"}""",
            ["POST /api/contracts/{contractId}/fee-amendments"] = """{"annualFee":190000,"effectiveFrom":"2021-07-01"}""",
            ["POST /api/contracts/{contractId}/kpi-settings"] = """{"serviceLevelSeconds":20,"effectiveFrom":"2021-07-01"}""",
            ["POST /api/contracts/{contractId}/opening-hours"] = """{"effectiveFrom":"2021-07-01","openingHours":{"days":["mon"]}}""",
            ["POST /api/contracts/{contractId}/party-changes"] = """{"party":"provider","effectiveFrom":"2021-07-01","name":"Stadt Bochum"}""",
            ["POST /api/contracts/{contractId}/service-lines"] = """{"code":"standesamt","name":"Standesamt","from":"2021-07-01"}""",
            ["POST /api/contracts/{contractId}/service-lines/{code}/removal"] = """{"endsOn":"2021-09-30"}""",
            ["POST /api/contracts/{contractId}/termination"] = """{"endsOn":"2030-12-31"}""",
            ["POST /api/erasures"] = """{"caller":"+49 2305 106-0"}""", // the caller of the test's call
            ["POST /api/invoices"] = $$"""{"contractId":"{{contract}}","year":2021,"quarter":2}""",
            ["POST /api/invoices/{invoiceId}/credit-note"] = """{"reason":"Falsche Anschrift"}""",
            ["POST /api/invoices/{invoiceId}/payment-transfers"] = $$"""{"toInvoiceId":"{{values["invoiceId"]}}","amount":1,"transferredOn":"{{today}}"}""",
            ["POST /api/invoices/{invoiceId}/payments"] = $$"""{"amount":1,"paidOn":"{{today}}"}""",
            ["POST /api/invoices/{invoiceId}/refunds"] = $$"""{"amount":1,"refundedOn":"{{today}}"}""",
            ["POST /api/referrals/{referralId}/accepted"] = """{"acceptedAt":"2021-03-01T10:00:00+01:00"}""",
            ["POST /api/referrals/{referralId}/answered"] = """{"answeredAt":"2021-03-01T11:00:00+01:00"}""",
            ["POST /api/referrals/{referralId}/returned"] = """{"returnedAt":"2021-03-01T11:00:00+01:00","reason":"Nicht zuständig"}""",
        };
        var queries = new Dictionary<string, string>
        {
            ["GET /api/appointments"] = $"?contractId={contract}",
            ["GET /api/referrals"] = $"?contractId={contract}",
            ["GET /api/invoices"] = $"?contractId={contract}",
            ["GET /api/audit/events"] = "?from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z",
        };

        foreach (var (endpoint, allowed) in Matrix())
        {
            var method = endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)];
            var url = Placeholder().Replace(endpoint[(method.Length + 1)..], m => Uri.EscapeDataString(values[m.Groups[1].Value]))
                + queries.GetValueOrDefault(endpoint, string.Empty);
            var batch = endpoint == "POST /api/calls/batch";
            var json = batch
                ? $$"""{"callId":"{{UniqueId("b")}}","contractId":"{{contract}}","serviceLine":"buergerbuero","offeredAt":"2021-03-05T10:00:00+01:00"}"""
                : bodies.GetValueOrDefault(endpoint, "{}");

            async Task Check(string who, string? token, Func<int, string, bool> expected)
            {
                var result = await Host.Scenario(s =>
                {
                    if (method == "GET")
                    {
                        s.Get.Url(url);
                    }
                    else
                    {
                        s.Post.Text(json).ToUrl(url);
                        s.WithRequestHeader("Content-Type", batch ? "application/x-ndjson" : "application/json");
                    }

                    if (token is not null)
                    {
                        s.WithBearerToken(token);
                    }

                    s.IgnoreStatusCode();
                });
                var status = result.Context.Response.StatusCode;
                var body = await result.ReadAsTextAsync();
                if (status is >= 200 and < 300)
                {
                    declared.Add(endpoint);
                    failures.AddRange(DeclaredAnswers.Mismatches(document, endpoint, status, result.Context.Response.ContentType, body));
                }

                if (!expected(status, body))
                {
                    failures.Add($"{endpoint} as {who}: {status} {body[..Math.Min(body.Length, 160)]}");
                }
            }

            await Check("nobody", null, (s, _) => s == 401);
            await Check("an expired token", Tokens.For(["auditor", "contract-admin", "finance"], expires: DateTime.UtcNow.AddHours(-1)), (s, _) => s == 401);
            await Check("a token of another key", Tokens.Forged, (s, _) => s == 401);
            await Check("an unsigned token (alg none)", Tokens.Minted(t => (t.Claims["role"], t.SigningCredentials) = (Roles, null)), (s, _) => s == 401);
            await Check("a token without a role", Tokens.Minted(_ => { }), (s, _) => s == 403);
            await Check("a token without a role, of a party", Tokens.Minted(t => t.Claims["municipality"] = provider), (s, _) => s == 403);
            foreach (var role in Roles)
            {
                var party = role == "department" ? "castrop-rauxel" : provider;
                switch (allowed[role])
                {
                    case "":
                        await Check($"{role}", Tokens.For(role), (s, _) => s == 403);
                        await Check($"{role} of {party}", Tokens.For(role, party), (s, _) => s == 403);
                        break;
                    case "✓":
                        // Another city first (before an allowed caller changes anything): it reaches nothing of the contract.
                        // 403 or 404 to a valid request; a read may answer 2xx showing none of it; an erasure masks nothing;
                        // the bulk import refuses every line.
                        await Check($"{role} of dortmund", Tokens.For(role, "dortmund"), (s, body) => s is 403 or 404
                            || (s is >= 200 and < 300 && (endpoint switch
                            {
                                "POST /api/calls/batch" => body.Contains("\"accepted\":0", StringComparison.Ordinal),
                                "POST /api/erasures" => body.Contains("\"callsMasked\":0", StringComparison.Ordinal),
                                _ => method == "GET" && !body.Contains(contract, StringComparison.Ordinal),
                            })));
                        await Check($"{role}", Tokens.For(role), (s, _) => s is not (400 or 401 or 403) && s < 500);
                        await Check($"{role} of {party}", Tokens.For(role, party), (s, _) => s is not (400 or 401 or 403) && s < 500);
                        break;
                    case "✓¹":
                        await Check($"{role}", Tokens.For(role), (s, _) => s is not (400 or 401 or 403) && s < 500);
                        await Check($"{role} of {party}", Tokens.For(role, party), (s, _) => s == 403);
                        break;
                    case "✓²":
                        await Check($"{role}", Tokens.For(role), (s, _) => s == 403);
                        await Check($"{role} of castrop-rauxel", Tokens.For(role, "castrop-rauxel"), (s, _) => s is not (400 or 401 or 403) && s < 500);
                        await Check($"{role} of dortmund", Tokens.For(role, "dortmund"), (s, _) => s is 403 or 404);
                        break;
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
