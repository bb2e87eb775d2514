using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Audit;

/// <summary>
/// The access matrix of the README, held to every endpoint the OpenAPI document lists (a new endpoint joins by
/// itself and fails until the README says who may call it): every role with no municipality, with a party of the
/// contract and with another city; an expired token, one signed with another key, and none.
/// </summary>
public sealed partial class AccessMatrixTests(AppFixture fixture) : AuditTest(fixture)
{
    private static readonly string[] Roles = ["contract-admin", "service-centre", "department", "finance", "auditor"];

    /// <summary>Per endpoint ("GET /api/…"), per role: null not allowed, true allowed, false allowed only without a municipality.</summary>
    private static Dictionary<string, Dictionary<string, bool?>> Matrix()
    {
        var readme = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("### Access matrix", StringComparison.Ordinal));
        Assert.True(start >= 0, "The README has no access matrix.");
        var header = readme.Skip(start).First(l => l.StartsWith("| endpoint", StringComparison.Ordinal)).Split('|').Select(c => c.Trim()).ToArray();
        var matrix = new Dictionary<string, Dictionary<string, bool?>>();
        foreach (var line in readme.Skip(start).SkipWhile(l => !l.StartsWith("| `", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith('|')))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            matrix[cells[1].Trim('`')] = Roles.ToDictionary(r => r, r => cells[Array.IndexOf(header, r)] switch
            {
                "✓" => true,
                "✓¹" => false,
                "" => (bool?)null,
                var other => throw new InvalidOperationException($"Unknown cell '{other}' in the access matrix: {line}"),
            });
        }

        return matrix;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Cooperation.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Cooperation.sln not found above the tests.");
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

        foreach (var (endpoint, allowed) in Matrix())
        {
            var method = endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)];
            var url = Placeholder().Replace(endpoint[(method.Length + 1)..], m => Uri.EscapeDataString(values[m.Groups[1].Value]));

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
                        s.Post.Text("{}").ToUrl(url);
                        s.WithRequestHeader("Content-Type", "application/json");
                    }

                    if (token is not null)
                    {
                        s.WithBearerToken(token);
                    }

                    s.IgnoreStatusCode();
                });
                var status = result.Context.Response.StatusCode;
                var body = await result.ReadAsTextAsync();
                if (!expected(status, body))
                {
                    failures.Add($"{endpoint} as {who}: {status} {body[..Math.Min(body.Length, 160)]}");
                }
            }

            await Check("nobody", null, (s, _) => s == 401);
            await Check("an expired token", Tokens.For(["auditor", "contract-admin", "finance"], expires: DateTime.UtcNow.AddHours(-1)), (s, _) => s == 401);
            await Check("a token of another key", Tokens.Forged, (s, _) => s == 401);
            foreach (var role in Roles)
            {
                var party = role == "department" ? "castrop-rauxel" : provider;
                switch (allowed[role])
                {
                    case null:
                        await Check($"{role}", Tokens.For(role), (s, _) => s == 403);
                        await Check($"{role} of {party}", Tokens.For(role, party), (s, _) => s == 403);
                        break;
                    case true:
                        await Check($"{role}", Tokens.For(role), (s, _) => s is not (401 or 403));
                        await Check($"{role} of {party}", Tokens.For(role, party), (s, _) => s is not (401 or 403));
                        // Another city reaches nothing of the contract: no 2xx that shows any of it.
                        await Check($"{role} of dortmund", Tokens.For(role, "dortmund"),
                            (s, body) => s is not (401 or 500) && (s >= 300 || !body.Contains(contract, StringComparison.Ordinal)));
                        break;
                    case false:
                        await Check($"{role}", Tokens.For(role), (s, _) => s is not (401 or 403));
                        await Check($"{role} of {party}", Tokens.For(role, party), (s, _) => s == 403);
                        break;
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Placeholder();
}
