using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Xunit.Abstractions;

namespace Cooperation.Api.Tests.Fuzz;

/// <summary>
/// Fuzzes every path + operation of the service's own OpenAPI document with odd bodies, ids, query values,
/// headers and tokens, and holds every answer to the error contract (ADR 7): never a 5xx; every 4xx problem
/// details; every 400 names the field at fault; a refused request stores no event; instants without an
/// unambiguous ISO 8601 offset are refused. An endpoint added to the document is fuzzed without a change here.
/// </summary>
/// <remarks>
/// Requests run 8 at a time, so "nothing stored" is not judged by counting around each request: every request
/// carries its own <c>X-Correlation-ID</c>, which the service stores on each event it appends. Afterwards every
/// event since the start is attributed to the request that stored it; one stored by a refused request, or one that
/// carries no correlation id of ours, is a finding. (Marten's tombstones, which fill the sequence numbers of a
/// failed save, are bookkeeping, not events stored by the request, and are only counted.) Each operation gets
/// resources of its own (contract, call, referral, appointment, invoice), made through the API, so what one
/// operation's accepted variants change does not decide another's answers.
/// </remarks>
public sealed class OpenApiFuzzTests(AppFixture fixture, ITestOutputHelper output) : ApiTest(fixture)
{
    private const int Parallelism = 8;
    private const string Client = "castrop-rauxel";
    private const string OfferedAt = "2021-03-02T09:59:00+01:00";
    private const string AnsweredAt = "2021-03-02T09:59:30+01:00";

    private readonly string prefix = $"fz{Guid.NewGuid().ToString("N")[..6]}-";
    private readonly ConcurrentQueue<Sent> sent = new();
    private int sequence;

    private sealed record Sent(
        string Op, string Phase, Variant? Variant, string CorrelationId, string Url, int Status, string? ContentType, string Body,
        string? Exception, RequestSpec? Spec);

    private sealed record Finding(string Rule, string Op, string Target, string Class, string Label, int Status, string Detail);

    /// <summary>The resources an operation's valid request refers to, made for that operation alone.</summary>
    private sealed class World
    {
        public string ProviderId { get; } = UniqueId("city");

        public string? ContractId { get; set; }

        public string? CallId { get; set; }

        public string? ReferralId { get; set; }

        public string? AppointmentId { get; set; }

        public string? InvoiceId { get; set; }
    }

    private static string Token(string[] roles, string? municipality) => Tokens.For(roles, municipality, "fuzzer");

    [Fact]
    public async Task Every_operation_of_the_OpenAPI_document_answers_odd_requests_with_problem_details_and_stores_nothing()
    {
        var clock = Stopwatch.StartNew();
        var document = await ReadDocument();
        var operations = OpenApiDocument.Operations(document);
        Assert.NotEmpty(operations);
        // The reports' first build is done (a fresh store answers reports 503 until then, ADR 16).
        await GivenContract();
        await Fixture.ProjectionsCaughtUpAsync();
        var start = await Scalar("select coalesce(max(seq_id), 0) from {0}.mt_events");

        // 1. Per operation: the resources its valid request names, the token it takes, and its valid request.
        var prepared = new ConcurrentDictionary<string, PreparedOperation>();
        await Parallel.ForEachAsync(operations, new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (op, _) => prepared[op.Key] = await Prepare(op));
        var prepareTime = clock.Elapsed;

        // 2. Every variant of every operation, concurrently.
        var variants = operations.SelectMany(op => VariantFactory.For(prepared[op.Key], Token, Tokens.Forged)).ToList();
        await Parallel.ForEachAsync(variants, new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (variant, _) => await Send(variant.Op.Key, "variant", variant.Build(), variant));

        // 3. The first request of each kind that failed with a 5xx again, by a client that does not accept JSON.
        var failing = sent.Where(s => s is { Status: >= 500, Spec: not null, Variant: not null })
            .GroupBy(s => (s.Op, s.Variant!.Target, s.Variant.Class)).Select(g => g.First()).ToList();
        await Parallel.ForEachAsync(failing.SelectMany(s => new[] { "application/xml", "text/csv" }.Select(accept => (s, accept))),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (pair, _) =>
            {
                var (failed, accept) = pair;
                var again = failed.Variant! with
                {
                    Class = $"{failed.Variant.Class}, sent again with a non-JSON Accept", Label = $"{failed.Variant.Label} (Accept: {accept})",
                };
                await Send(failed.Op, "accept", failed.Spec! with { Accept = accept }, again);
            });

        // 4. The events stored meanwhile, by the correlation id of the request that stored them.
        // (Marten writes the tombstones that fill a failed save's sequence numbers off the request's path; give them a moment.)
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        var (stored, unattributed, tombstones) = await StoredSince(start);
        var findings = Judge(prepared, stored, unattributed, out var inconclusive);
        Report(clock.Elapsed, prepareTime, operations, prepared, findings, inconclusive, tombstones);

        Assert.True(findings.Count == 0, Describe(findings));
    }

    private async Task<JsonObject> ReadDocument()
    {
        var result = await Host.Scenario(s => s.Get.Url("/swagger/v1/swagger.json"));
        return JsonNode.Parse(await result.ReadAsTextAsync())!.AsObject();
    }

    // ---------------------------------------------------------------- preparing an operation

    private async Task<PreparedOperation> Prepare(ApiOperation op)
    {
        var world = await Build(op);
        var removed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        JsonNode? Example(SchemaNode node, string? name)
        {
            if (name is not null)
            {
                var (known, omit, value) = Known(name, op, world);
                if (known)
                {
                    return omit ? null : value;
                }
            }

            return Generic(node, Example);
        }

        JsonObject? Body()
        {
            if (op.Body is not { Type: "object" } schema || Generic(schema, Example) is not JsonObject body)
            {
                return null;
            }

            foreach (var path in removed)
            {
                var segments = Parse(path);
                if (segments[^1] is string member && Parent(body, segments) is JsonObject parent)
                {
                    parent.Remove(member);
                }
            }

            return body;
        }

        var pathValues = op.InPath.ToDictionary(p => p.Name, p => Uri.EscapeDataString(PathValue(p.Name, world)));
        var query = op.InQuery.Where(p => p.Name == "contractId" && world.ContractId is not null)
            .Select(p => new KeyValuePair<string, string>(p.Name, Uri.EscapeDataString(world.ContractId!))).ToList();
        var prepared = new PreparedOperation
        {
            Op = op, PathValues = pathValues, Query = query, Body = Body, Example = Example,
            Token = Token(FuzzValues.Roles, null), Municipality = null,
        };

        // The token: all roles, bound to no city, else to the client or the provider city (a department works its own city's referrals).
        Sent baseline = null!;
        foreach (var city in new[] { null, Client, world.ProviderId })
        {
            prepared.Token = Token(FuzzValues.Roles, city);
            prepared.Municipality = city;
            baseline = await Send(op.Key, "valid request", prepared.Valid(), null);
            if (baseline.Status is not (401 or 403))
            {
                break;
            }
        }

        // A refused valid request (400, 409) without the members its answer names, at most three rounds; kept only when accepted.
        var refused = baseline;
        for (var round = 0; round < 3 && baseline.Status is 400 or 409 && op.Body is not null; round++)
        {
            var named = ErrorKeys(baseline.Body).Select(Normalize)
                .Where(k => k.Length > 0 && VariantFactory.Get(Body(), Parse(k)) is { Found: true } && removed.Add(k)).ToList();
            if (named.Count == 0)
            {
                break;
            }

            baseline = await Send(op.Key, "valid request", prepared.Valid(), null);
        }

        if (baseline.Status is < 200 or >= 300)
        {
            removed.Clear();
            baseline = refused;
        }

        prepared.BaselineStatus = baseline.Status;
        prepared.BaselineErrorKeys = baseline.Status == 400 ? ErrorKeys(baseline.Body).ToHashSet(StringComparer.Ordinal) : new HashSet<string>();
        prepared.BaselineExcerpt = Excerpt(baseline.Body, 300);
        return prepared;
    }

    /// <summary>Valid values by member name: what gets a request past 404 and 409 so its body is judged.</summary>
    private static (bool Known, bool Omit, JsonNode? Value) Known(string name, ApiOperation op, World world)
    {
        JsonNode Signed(string member) => ContractRequests.Sign("unused")[member]!.DeepClone();
        JsonNode? Id(string prefix, string? existing) => op.Creates(name) ? UniqueId(prefix) : existing;
        (bool, bool, JsonNode?) Value(JsonNode? value) => (true, false, value);
        (bool, bool, JsonNode?) Omit() => (true, true, null);

        return name switch
        {
            "contractId" => Value(Id("contract", world.ContractId)),
            "callId" => Value(Id("c", world.CallId)),
            "appointmentId" => op.Creates(name) ? Value(UniqueId("apt")) : Omit(),
            "referralId" => op.Creates(name) ? Value(UniqueId("ref")) : Omit(),
            "invoiceId" => Value(Id("inv", world.InvoiceId)),
            "provider" => Value(Signed("provider").AsObject()
                .With("id", world.ProviderId).With("contactName", "Servicecenter").With("contactPhone", "+49 234 910-0")),
            "client" or "serviceLines" or "openingHours" or "kpiSettings" => Value(Signed(name)),
            "closureDays" => Value(new JsonArray()),
            "settings" or "department" or "caller" or "vatId" or "taxNumber" => Omit(),
            "vat" => Value("not-subject"),
            "annualFee" => Value(180000.00m),
            "amount" => Value(100.00m),
            "paymentTermsDays" => Value(30),
            "serviceLevelSeconds" => Value(30),
            "shortAbandonSeconds" => Value(10),
            "serviceLevelTargetPercent" => Value(75),
            "firstContactResolutionTargetPercent" => Value(80),
            "year" => Value(2021),
            "quarter" => Value(1),
            "startsOn" => Value("2020-11-02"),
            "endsOn" => Value("2021-12-31"),
            "from" or "effectiveFrom" => Value("2021-01-01"),
            "paidOn" => Value(BerlinToday()),
            "code" => Value("fuzz-line"),
            "serviceLine" => Value("buergerbuero"),
            "name" => Value("Fuzz-Linie"),
            "service" => Value("Personalausweis beantragen"),
            "agentId" => Value("agent-7"),
            "outcome" => Value("resolved"),
            "topic" => Value("Personalausweis"),
            "reason" => Value("Falsche Anschrift"),
            "reference" => Value("fuzz-payment"),
            "offeredAt" => Value(OfferedAt),
            "answeredAt" => Value(AnsweredAt),
            _ => (false, false, null),
        };
    }

    private static string PathValue(string name, World world) => name switch
    {
        "contractId" => world.ContractId,
        "callId" => world.CallId,
        "referralId" => world.ReferralId,
        "appointmentId" => world.AppointmentId,
        "invoiceId" => world.InvoiceId,
        "code" => "ordnungswesen",
        "year" => "2021",
        "quarter" => "1",
        _ => null,
    } ?? "fuzz-1";

    /// <summary>A generic valid-looking value for a schema, asking <paramref name="member"/> for each member by name.</summary>
    private static JsonNode? Generic(SchemaNode node, Func<SchemaNode, string?, JsonNode?> member)
    {
        switch (node.Type)
        {
            case "object":
                var o = new JsonObject();
                foreach (var (name, child) in node.Properties)
                {
                    var value = member(child, name);
                    if (value is not null)
                    {
                        o[name] = value;
                    }
                }

                return o;
            case "array":
                return node.Items is null ? new JsonArray() : new JsonArray(member(node.Items, null));
            case "integer":
                return 1;
            case "number":
                return 1.5m;
            case "boolean":
                return false;
            default:
                return node.Enum.Count > 0 ? node.Enum[0]
                    : node.IsDate ? "2021-03-01"
                    : node.IsInstant ? FuzzValues.GenericInstant
                    : node.IsTime ? "08:00"
                    : "fuzz";
        }
    }

    /// <summary>Makes, through the API, what the operation's parameters and members refer to.</summary>
    private async Task<World> Build(ApiOperation op)
    {
        var world = new World();
        var names = op.Names();
        bool InParameters(string name) => op.Parameters.Any(p => p.Name == name);
        bool Uses(string name) => names.Contains(name) && !op.Creates(name);

        var call = Uses("callId");
        var referral = InParameters("referralId");
        var appointment = InParameters("appointmentId");
        var invoice = Uses("invoiceId");
        if (!(call || referral || appointment || invoice || Uses("contractId")))
        {
            return world;
        }

        var admin = $"Bearer {Token(FuzzValues.Roles, null)}";
        async Task<JsonNode> Make(string url, JsonObject body, int status)
        {
            var result = await Send(op.Key, "setup", new RequestSpec("POST", url, string.Empty,
                Encoding.UTF8.GetBytes(body.ToJsonString()), "application/json", null, admin), null);
            return result.Status == status
                ? JsonNode.Parse(result.Body)!
                : throw new InvalidOperationException($"Setting up {op.Key} failed: POST {url} answered {result.Status}, not {status}: {Excerpt(result.Body, 500)}");
        }

        async Task<string> AnsweredCall(string offered, string answered)
        {
            var callId = UniqueId("c");
            await Make("/api/calls", new JsonObject
            {
                ["callId"] = callId, ["contractId"] = world.ContractId, ["serviceLine"] = "buergerbuero", ["offeredAt"] = offered,
            }, 201);
            await Make($"/api/calls/{callId}/answered", new JsonObject { ["answeredAt"] = answered, ["agentId"] = "agent-7" }, 200);
            return callId;
        }

        world.ContractId = UniqueId("contract");
        var sign = ContractRequests.Sign(world.ContractId)
            .With("provider.id", world.ProviderId).With("provider.contactName", "Servicecenter").With("provider.contactPhone", "+49 234 910-0");
        sign["serviceLines"]!.AsArray().Add(new JsonObject { ["code"] = "ordnungswesen", ["name"] = "Ordnungswesen", ["from"] = "2021-01-01" });
        await Make("/api/contracts", sign, 201);

        if (call)
        {
            world.CallId = await AnsweredCall(OfferedAt, AnsweredAt);
        }

        if (referral)
        {
            var referred = await AnsweredCall("2021-03-02T09:58:00+01:00", "2021-03-02T09:58:10+01:00");
            world.ReferralId = UniqueId("ref");
            await Make($"/api/calls/{referred}/completed", new JsonObject
            {
                ["completedAt"] = "2021-03-02T09:58:20+01:00", ["outcome"] = "referred", ["department"] = "ordnungsamt", ["referralId"] = world.ReferralId,
            }, 200);
        }

        if (appointment)
        {
            world.AppointmentId = UniqueId("apt");
            await Make("/api/appointments", new JsonObject
            {
                ["appointmentId"] = world.AppointmentId, ["contractId"] = world.ContractId, ["service"] = "Personalausweis beantragen",
                ["startsAt"] = FuzzValues.GenericInstant,
            }, 201);
        }

        if (invoice)
        {
            var issued = await Make("/api/invoices", new JsonObject { ["contractId"] = world.ContractId, ["year"] = 2020, ["quarter"] = 4 }, 201);
            world.InvoiceId = (string)issued["invoiceId"]!;
        }

        return world;
    }

    // ---------------------------------------------------------------- sending

    private async Task<Sent> Send(string op, string phase, RequestSpec spec, Variant? variant)
    {
        var id = prefix + Interlocked.Increment(ref sequence).ToString(CultureInfo.InvariantCulture);
        Sent record;
        try
        {
            var result = await Host.Scenario(s =>
            {
                s.ConfigureHttpContext(c =>
                {
                    c.Request.Method = spec.Method;
                    c.Request.Path = Decoded(spec.Path);
                    c.Request.QueryString = spec.Query.Length == 0 ? QueryString.Empty : new QueryString("?" + spec.Query);
                    if (spec.Body is not null)
                    {
                        c.Request.Body = new MemoryStream(spec.Body);
                        c.Request.ContentLength = spec.Body.Length;
                    }

                    if (spec.ContentType is not null)
                    {
                        c.Request.ContentType = spec.ContentType;
                    }

                    if (spec.Accept is not null)
                    {
                        c.Request.Headers.Accept = spec.Accept;
                    }

                    if (spec.Authorization is not null)
                    {
                        c.Request.Headers.Authorization = spec.Authorization;
                    }

                    c.Request.Headers[CorrelationId.Header] = id;
                });
                s.IgnoreStatusCode();
            });
            var response = result.Context.Response;
            var body = await result.ReadAsTextAsync();
            record = new Sent(op, phase, variant, id, spec.Url, response.StatusCode, response.ContentType, body, null,
                response.StatusCode >= 500 ? spec : null);
        }
#pragma warning disable CA1031 // whatever escapes the host is a finding, not the end of the run
        catch (Exception e)
#pragma warning restore CA1031
        {
            record = new Sent(op, phase, variant, id, spec.Url, 0, null, string.Empty, $"{e.GetType().Name}: {e.Message} {string.Join(" ← ", (e.StackTrace ?? string.Empty).Split('\n').Take(4).Select(l => l.Trim()))}", spec);
        }

        sent.Enqueue(record);
        return record;
    }

    /// <summary>
    /// The path as Kestrel hands it to the app: percent-decoded except %2F. A decoded NUL makes Kestrel refuse the
    /// request target itself, so the app only ever sees "%00" literally (as sent double-encoded, "%2500").
    /// </summary>
    private static PathString Decoded(string path)
    {
        try
        {
            return PathString.FromUriComponent(path);
        }
        catch (InvalidOperationException)
        {
            return new PathString(path);
        }
    }

    // ---------------------------------------------------------------- events

    private async Task<long> Scalar(string sql)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(string.Format(CultureInfo.InvariantCulture, sql, Fixture.Schema), connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Events since <paramref name="start"/>: per correlation id of ours, others, and Marten's tombstones (gap fillers).</summary>
    private async Task<(Dictionary<string, long> Stored, List<string> Unattributed, long Tombstones)> StoredSince(long start)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select coalesce(correlation_id, ''), type, count(*) from {Fixture.Schema}.mt_events where seq_id > @start group by 1, 2", connection);
        command.Parameters.AddWithValue("start", start);
        var stored = new Dictionary<string, long>(StringComparer.Ordinal);
        var unattributed = new List<string>();
        long tombstones = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (correlation, type, count) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
            if (type == "tombstone")
            {
                tombstones += count;
            }
            else if (correlation.StartsWith(prefix, StringComparison.Ordinal))
            {
                stored[correlation] = stored.GetValueOrDefault(correlation) + count;
            }
            else
            {
                unattributed.Add($"{count} × {type} (correlation id '{correlation}')");
            }
        }

        return (stored, unattributed, tombstones);
    }

    // ---------------------------------------------------------------- the rules

    private List<Finding> Judge(IReadOnlyDictionary<string, PreparedOperation> prepared, Dictionary<string, long> stored,
        List<string> unattributed, out List<string> inconclusive)
    {
        var findings = new List<Finding>();
        inconclusive = [];
        foreach (var s in sent)
        {
            var v = s.Variant;
            var p = prepared.GetValueOrDefault(s.Op);
            var (target, @class, label) = v is null ? (s.Phase, s.Phase, s.Url) : (v.Target, v.Class, v.Label);
            void Add(string rule, string detail) => findings.Add(new Finding(rule, s.Op, target, @class, label, s.Status, detail));

            // A 5xx sent again with a non-JSON Accept is here for rule 2 (its body) only: rules 1 and 5 have it already.
            var again = s.Phase == "accept";

            // 1. Never a 5xx.
            if (!again && s.Exception is not null)
            {
                Add("1. 5xx (or an exception out of the host)", s.Exception);
            }
            else if (!again && s.Status >= 500)
            {
                Add("1. 5xx (or an exception out of the host)", $"Content-Type {s.ContentType ?? "(none)"}, body: {Excerpt(s.Body, 240)}");
            }

            // 2. Every error answer is problem details with its status.
            var problem = Problem(s);
            if (s.Status >= 400 && problem is null)
            {
                Add("2. error answer that is not problem details (application/problem+json with 'status')",
                    $"Content-Type {s.ContentType ?? "(none)"}, body: {(s.Body.Length == 0 ? "(empty)" : Excerpt(s.Body, 160))}");
            }

            // 3. A 400 says which field is at fault.
            if (s.Status == 400 && problem is not null && v?.Naming is not Naming.WholeBody && !again)
            {
                var keys = (problem["errors"] as JsonObject)?.Select(e => e.Key).ToList() ?? [];
                if (keys.Count == 0)
                {
                    Add("3. 400 without an 'errors' object naming a field", Excerpt(s.Body, 200));
                }
                else if (v is { Field: not null, Naming: Naming.Strict or Naming.Loose } && !Names(keys, v.Field, v.Leaf!)
                         && !NamesInRule(problem, v.Leaf!))
                {
                    var named = $"errors: {Excerpt(problem["errors"]!.ToJsonString(), 200)}";
                    if (p is not null && keys.All(p.BaselineErrorKeys.Contains))
                    {
                        inconclusive.Add($"{s.Op} {target} {@class} {label}: the valid request itself is refused with {named}");
                    }
                    else if (v.Naming == Naming.Strict || keys.All(k => Normalize(k).Length == 0))
                    {
                        Add("3. 400 whose 'errors' do not name the mutated field", named);
                    }
                }
            }

            // 4. A refused request stores nothing.
            if (s.Status is < 200 or >= 300 && stored.GetValueOrDefault(s.CorrelationId) is > 0 and var count)
            {
                Add("4. events stored by a refused request", $"{count} event(s) with its correlation id");
            }

            // 5. Local or ambiguous instants (and dates that do not exist) are refused with 400.
            if (v is { MustRefuse: true } && s.Status != 400 && !again)
            {
                var conclusive = s.Status is (>= 200 and < 300) or >= 500 or 0 || p?.BaselineStatus is >= 200 and < 300;
                if (conclusive)
                {
                    Add("5. lenient formats accepted (must be 400 naming the field)", $"answered {s.Status}: {Excerpt(s.Body, 120)}");
                }
                else
                {
                    inconclusive.Add($"{s.Op} {target} {label}: {s.Status}, and the valid request itself gets {p?.BaselineStatus}");
                }
            }
        }

        foreach (var line in unattributed)
        {
            findings.Add(new Finding("4. events stored by a refused request", "(any)", "events", "no correlation id of an accepted request", line, 0,
                "stored while the fuzzer ran, by no request it sent that was accepted"));
        }

        return findings;
    }

    /// <summary>The answer's problem details, or null when it is not problem details with its status.</summary>
    private static JsonObject? Problem(Sent s)
    {
        if (s.ContentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) != true)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(s.Body) is JsonObject o && o["status"] is JsonValue status &&
                   status.TryGetValue<int>(out var value) && value == s.Status ? o : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether an error key names the field: it starts with the field's path ("serviceLines[0].code", "provider.iban"),
    /// ends with its members (indices aside), or is the member's bare name ("iban"). "$" names nothing.
    /// </summary>
    private static bool Names(IEnumerable<string> keys, string field, string leaf)
    {
        var wanted = Segments(field).ToList();
        return keys.Select(Normalize).Any(key =>
        {
            var segments = Segments(key).ToList();
            return key.Length > 0 &&
                   (key.StartsWith(field, StringComparison.OrdinalIgnoreCase) ||
                    (segments.Count >= wanted.Count && segments.TakeLast(wanted.Count).SequenceEqual(wanted, StringComparer.OrdinalIgnoreCase)) ||
                    (segments.Count == 1 && segments[0].Equals(leaf, StringComparison.OrdinalIgnoreCase)));
        });
    }

    /// <summary>A rule over the whole body ("name at least one of 'answeredAt', …") names the field in its message.</summary>
    private static bool NamesInRule(JsonNode problem, string leaf) =>
        (problem["errors"]?["$"] as JsonArray)?.Any(m => m?.GetValue<string>().Contains($"'{leaf}'", StringComparison.Ordinal) == true) == true;

    private static IEnumerable<string> Segments(string key) =>
        key.Split('.').Select(s => s.Split('[')[0]).Where(s => s.Length > 0);

    private static string Normalize(string key) => key.TrimStart('$').TrimStart('.');

    private static IEnumerable<string> ErrorKeys(string body)
    {
        try
        {
            return (JsonNode.Parse(body)?["errors"] as JsonObject)?.Select(e => e.Key).ToList() ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>"serviceLines[0].code" → serviceLines, 0, code.</summary>
    private static List<object> Parse(string path)
    {
        var segments = new List<object>();
        foreach (var part in path.Split('.'))
        {
            var pieces = part.Split('[');
            if (pieces[0].Length > 0)
            {
                segments.Add(pieces[0]);
            }

            segments.AddRange(pieces.Skip(1).Select(i => int.TryParse(i.TrimEnd(']'), CultureInfo.InvariantCulture, out var index) ? (object)index : i));
        }

        return segments;
    }

    private static JsonNode? Parent(JsonObject body, List<object> path) => VariantFactory.Get(body, path.Take(path.Count - 1).ToList()).Node;

    // ---------------------------------------------------------------- the report

    private void Report(TimeSpan elapsed, TimeSpan prepareTime, IReadOnlyList<ApiOperation> operations,
        IReadOnlyDictionary<string, PreparedOperation> prepared, List<Finding> findings, List<string> inconclusive, long tombstones)
    {
        var all = sent.ToList();
        var statuses = string.Join(", ", all.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "exception" : g.Key)}×{g.Count()}"));
        var distinct = findings.GroupBy(f => (f.Rule, f.Op, f.Target, f.Class)).Count();
        output.WriteLine(
            $"Fuzz: {all.Count} requests ({all.Count(s => s.Phase == "variant")} variants) over {operations.Count} operations in {elapsed.TotalSeconds:F1} s " +
            $"(setup {prepareTime.TotalSeconds:F1} s); status: {statuses}; failures: {findings.Count} in {distinct} distinct findings; " +
            $"tombstones (Marten's gap fillers, not counted): {tombstones}.");
        output.WriteLine(string.Empty);
        output.WriteLine("Valid request per operation (status; variants):");
        foreach (var op in operations)
        {
            var p = prepared[op.Key];
            var count = all.Count(s => s.Op == op.Key && s.Phase == "variant");
            output.WriteLine($"  {op.Key}: {p.BaselineStatus} as {(p.Municipality ?? "no city")}; {count} variants" +
                             (p.BaselineStatus is >= 200 and < 300 ? string.Empty : $" — {p.BaselineExcerpt}"));
        }

        if (inconclusive.Count > 0)
        {
            output.WriteLine(string.Empty);
            output.WriteLine($"Not judged ({inconclusive.Count}; the valid request itself is refused, so these prove nothing):");
            foreach (var line in inconclusive.Distinct().Take(40))
            {
                output.WriteLine("  " + line);
            }
        }

        output.WriteLine(string.Empty);
        output.WriteLine(Describe(findings));
    }

    private static string Describe(List<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return "No findings.";
        }

        var text = new StringBuilder($"{findings.Count} failing requests; the distinct findings, by rule:");
        foreach (var rule in findings.GroupBy(f => f.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine().AppendLine().Append(rule.Key).Append(':');
            foreach (var group in rule.GroupBy(f => (f.Op, f.Target, f.Class)).OrderBy(g => g.Key.Op, StringComparer.Ordinal).ThenBy(g => g.Key.Target, StringComparer.Ordinal))
            {
                var statuses = string.Join("/", group.Select(f => f.Status).Distinct().Order());
                var labels = string.Join(" | ", group.Select(f => f.Label).Distinct().Order(StringComparer.Ordinal));
                text.AppendLine().Append(CultureInfo.InvariantCulture,
                    $"  - {group.Key.Op} · {group.Key.Target} · {group.Key.Class} → {statuses} ({group.Count()}×): {labels}");
                text.AppendLine().Append("      ").Append(group.First().Detail);
            }
        }

        return text.ToString();
    }

    private static string Excerpt(string text, int length)
    {
        var flat = text.ReplaceLineEndings(" ");
        return flat.Length <= length ? flat : flat[..length] + "…";
    }

    private static string BerlinToday() =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
