using System.Text.Json.Nodes;
using Cooperation.Api.Audit;
using Cooperation.Api.Tests.Billing;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Audit;

/// <summary>The history of every stream and the export of a window of events, as auditors read them (domain §4).</summary>
public sealed class HistoryTests(AppFixture fixture) : BillingTest(fixture)
{
    private static readonly string Auditor = Tokens.For("auditor", null, "aud-1");

    private async Task<(string Contract, string Provider, string Call)> GivenACall()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd-7");
        var call = UniqueId("c");
        await Host.Scenario(s =>
        {
            s.Post.Json(new JsonObject
            {
                ["callId"] = call, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-01T09:00:00+01:00",
            }).ToUrl("/api/calls");
            s.WithBearerToken(acd);
            s.WithRequestHeader("X-Correlation-ID", "corr-offer-1");
            s.StatusCodeShouldBe(201);
        });
        await Post($"/api/calls/{call}/answered", new JsonObject { ["answeredAt"] = "2021-03-01T09:00:20+01:00", ["agentId"] = "a-1" }, acd);
        await Post($"/api/calls/{call}/completed", new JsonObject { ["completedAt"] = "2021-03-01T09:04:00+01:00", ["outcome"] = "resolved" }, acd);
        return (contract, provider, call);
    }

    [Fact]
    public async Task A_streams_history_shows_every_event_in_order_with_who_when_and_its_link()
    {
        var (_, _, call) = await GivenACall();

        var history = await Get($"/api/streams/call:{call}/events", Auditor);

        var events = history["events"]!.AsArray();
        Assert.Equal($"call:{call}", (string)history["streamId"]!);
        Assert.Null(history["nextFromVersion"]);
        Assert.Equal([1L, 2L, 3L], events.Select(e => (long)e!["version"]!));
        Assert.Equal(["call_offered", "call_answered", "call_completed"], events.Select(e => (string)e!["type"]!));
        Assert.Equal(["2021-03-01T09:00:00+01:00", "2021-03-01T09:00:20+01:00", "2021-03-01T09:04:00+01:00"], events.Select(e => (string)e!["businessTime"]!));
        Assert.True(events.Select(e => (long)e!["sequence"]!).Zip(events.Select(e => (long)e!["sequence"]!).Skip(1)).All(p => p.First < p.Second));
        Assert.All(events, e => Assert.Equal("acd-7", (string)e!["user"]!));
        Assert.Equal("corr-offer-1", (string)events[0]!["correlationId"]!);
        Assert.All(events, e => Assert.Matches("^[0-9a-f]{64}$", (string)e!["hash"]!));
        Assert.Equal(call, (string)events[0]!["data"]!["callId"]!);
        Assert.Equal("Resolved", (string)events[2]!["data"]!["outcome"]!); // as stored
        Assert.All(events, e => Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse((string)e!["recordedAt"]!, System.Globalization.CultureInfo.InvariantCulture) < TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_long_history_comes_a_page_at_a_time()
    {
        var (contract, provider) = await GivenProviderContract();
        var admin = Tokens.For("contract-admin", provider);
        foreach (var day in new[] { "2021-03-01", "2021-03-02", "2021-03-03", "2021-03-04" })
        {
            await Post($"/api/contracts/{contract}/closure-days", new JsonObject { ["date"] = day }, admin);
        }

        var versions = new List<long>();
        long? next = 1;
        var pages = 0;
        while (next is { } from)
        {
            var page = await Get($"/api/streams/contract:{contract}/events?fromVersion={from}&limit=2", Auditor);
            versions.AddRange(page["events"]!.AsArray().Select(e => (long)e!["version"]!));
            next = (long?)page["nextFromVersion"];
            pages++;
        }

        Assert.Equal([1L, 2L, 3L, 4L, 5L], versions);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_stream_is_read_by_auditors_of_its_contract_only_and_unknown_to_others()
    {
        var (_, provider, call) = await GivenACall();
        var url = $"/api/streams/call:{call}/events";

        await Get(url, Tokens.For("auditor", provider));
        await RefusedGet(url, Tokens.For("auditor", "dortmund"), 404);
        await RefusedGet(url, Tokens.For("finance", provider), 403);
        await RefusedGet("/api/streams/call:no-such-call/events", Auditor, 404);
        await RefusedGet($"{url}?limit=0", Auditor, 400, "limit");
        await RefusedGet($"{url}?fromVersion=first", Auditor, 400, "fromVersion");
    }

    [Fact]
    public async Task Every_event_type_says_when_it_happened()
    {
        var members = EventHistory.StreamEventTypes.ToDictionary(t => t.Name, EventHistory.BusinessTimeMember);

        Assert.Empty(members.Where(m => m.Value is null).Select(m => m.Key));
        Assert.Equal("offeredAt", members["CallOffered"]);
        Assert.Equal("bookedAt", members["AppointmentBooked"]); // not when it starts
        Assert.Equal("signedAt", members["ContractSigned"]);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task The_export_streams_every_event_of_a_window_in_the_order_recorded()
    {
        var (contract, provider) = await GivenProviderContract();
        var before = DateTimeOffset.UtcNow;
        // More events than fit any one buffer: 700 calls of three events each, through the bulk import.
        var lines = string.Join('\n', Enumerable.Range(0, 700).Select(i => new JsonObject
        {
            ["callId"] = UniqueId("x"), ["contractId"] = contract, ["serviceLine"] = "buergerbuero",
            ["offeredAt"] = "2021-03-02T10:00:00+01:00", ["answeredAt"] = "2021-03-02T10:00:12+01:00", ["agentId"] = "agent-3",
            ["completedAt"] = "2021-03-02T10:04:00+01:00", ["outcome"] = "resolved",
        }.ToJsonString()));
        await Host.Scenario(s =>
        {
            s.Post.Text(lines).ToUrl("/api/calls/batch");
            s.WithRequestHeader("Content-Type", "application/x-ndjson");
            s.WithBearerToken(Tokens.For("service-centre", provider, "acd"));
        });
        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        var window = $"from={Uri.EscapeDataString(before.ToString("O"))}&to={Uri.EscapeDataString(after.ToString("O"))}";

        // An auditor of the provider gets its contracts' events only: this test's calls.
        var result = await Host.Scenario(s =>
        {
            s.Get.Url($"/api/audit/events?{window}");
            s.WithBearerToken(Tokens.For("auditor", provider));
        });
        Assert.Equal("application/x-ndjson", result.Context.Response.ContentType);
        var exported = (await result.ReadAsTextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();

        Assert.Equal(2100, exported.Count);
        Assert.All(exported, e => Assert.StartsWith("call:x-", (string)e["streamId"]!, StringComparison.Ordinal));
        var sequences = exported.Select(e => (long)e["sequence"]!).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.Equal(700, exported.Count(e => (string)e["type"]! == "call_offered"));

        // The unbound auditor's export of the same window holds them too, among other tests' events.
        var all = await Host.Scenario(s => { s.Get.Url($"/api/audit/events?{window}"); s.WithBearerToken(Auditor); });
        var allSequences = (await all.ReadAsTextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (long)JsonNode.Parse(l)!["sequence"]!).ToHashSet();
        Assert.Superset(allSequences, sequences.ToHashSet());
    }

    [Theory]
    [InlineData("to=2021-03-02T10:00:00%2B01:00", "from")]
    [InlineData("from=2021-03-02T10:00:00%2B01:00", "to")]
    [InlineData("from=2021-03-02&to=2021-03-03T10:00:00Z", "from")]
    [InlineData("from=2021-03-03T10:00:00Z&to=2021-03-02T10:00:00Z", "to")]
    public async Task The_export_needs_a_window_of_two_instants(string query, string field) =>
        await RefusedGet($"/api/audit/events?{query}", Auditor, 400, field);
}
