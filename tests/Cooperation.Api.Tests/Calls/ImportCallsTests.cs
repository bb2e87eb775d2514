using System.Text;
using System.Text.Json.Nodes;
using Alba;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Calls;

public sealed class ImportCallsTests(AppFixture fixture) : CallTest(fixture)
{
    private async Task<(int Status, JsonObject Body)> Import(string ndjson, string token, string contentType = "application/x-ndjson")
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Text(ndjson).ToUrl("/api/calls/batch");
            s.WithRequestHeader("Content-Type", contentType);
            s.WithBearerToken(token);
            s.IgnoreStatusCode();
        });
        var text = await result.ReadAsTextAsync();
        return (result.Context.Response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!.AsObject());
    }

    private static string Record(string callId, string contract, string offeredAt = "2021-03-02T10:00:00+01:00", Action<JsonObject>? change = null)
    {
        var record = new JsonObject
        {
            ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = offeredAt,
        };
        change?.Invoke(record);
        return record.ToJsonString();
    }

    private static void AnsweredAndCompleted(JsonObject r, string outcome, string? department = null)
    {
        r["answeredAt"] = "2021-03-02T10:00:12+01:00";
        r["agentId"] = "agent-3";
        r["completedAt"] = "2021-03-02T10:04:00+01:00";
        r["outcome"] = outcome;
        r["department"] = department;
    }

    private static JsonObject RejectedLine(JsonObject body, int line) =>
        body["rejected"]!.AsArray().Single(r => (int)r!["line"]! == line)!.AsObject();

    [Fact]
    public async Task A_mixed_batch_stores_every_good_line_whole_and_names_each_bad_line()
    {
        var contract = await GivenContract();
        var (_, live) = await GivenOfferedCall("2021-03-02T09:00:00+01:00", contract); // recorded live before the export
        var ids = Enumerable.Range(0, 12).Select(_ => UniqueId("b")).ToArray();
        var lines = new[]
        {
            Record(ids[0], contract), // 1: offered only
            Record(ids[1], contract, change: r => AnsweredAndCompleted(r, "resolved")), // 2
            Record(ids[2], contract, change: r => r["abandonedAt"] = "2021-03-02T10:00:40+01:00"), // 3
            Record(ids[3], contract, change: r => AnsweredAndCompleted(r, "referred", "ordnungsamt")), // 4: opens a referral
            Record(ids[1], contract, change: r => AnsweredAndCompleted(r, "resolved")), // 5: repeats line 2
            Record(live, contract, "2021-03-02T09:00:00+01:00", r => AnsweredAndCompleted(r, "appointment-booked")), // 6: completes a live call
            "{\"callId\": \"broken", // 7
            Record(ids[4], contract, change: r => r["offeredAt"] = 17), // 8
            Record(ids[5], "no-such-contract"), // 9
            Record(ids[6], contract, change: r => r["serviceLine"] = "kfz-zulassung"), // 10
            Record(ids[7], contract, change: r => { r["answeredAt"] = "2021-03-02T10:00:10+01:00"; r["agentId"] = "a"; r["abandonedAt"] = "2021-03-02T10:00:20+01:00"; }), // 11
            Record(ids[8], contract, change: r => { r["completedAt"] = "2021-03-02T10:04:00+01:00"; r["outcome"] = "resolved"; }), // 12
            Record(ids[9], contract, DateTimeOffset.UtcNow.AddHours(1).ToString("O")), // 13
            Record(ids[1], contract, change: r => AnsweredAndCompleted(r, "referred", "standesamt")), // 14: conflicts with line 2
            Record(ids[10], contract, change: r => r.Remove("serviceLine")), // 15
            "", // 16: blank, skipped
            Record(ids[11], contract, change: r => { r["answeredAt"] = "2021-03-02T09:59:00+01:00"; r["agentId"] = "a"; }), // 17: answered before offered
        };
        var before = await Fixture.EventCountAsync();

        var (status, body) = await Import(string.Join('\n', lines) + "\n", Acd);

        Assert.Equal(200, status);
        Assert.Equal(5, (long)body["accepted"]!);
        Assert.Equal(1, (long)body["duplicates"]!);
        Assert.Equal(10, (long)body["rejectedCount"]!);
        Assert.Equal([7, 8, 9, 10, 11, 12, 13, 14, 15, 17], body["rejected"]!.AsArray().Select(r => (int)r!["line"]!));
        Assert.Contains("$", RejectedLine(body, 7)["errors"]!.AsObject().Select(e => e.Key));
        Assert.True(RejectedLine(body, 8)["errors"]!.AsObject().ContainsKey("offeredAt"));
        Assert.Equal(404, (int)RejectedLine(body, 9)["status"]!);
        Assert.True(RejectedLine(body, 9)["errors"]!.AsObject().ContainsKey("contractId"));
        Assert.Equal(404, (int)RejectedLine(body, 10)["status"]!);
        Assert.True(RejectedLine(body, 10)["errors"]!.AsObject().ContainsKey("serviceLine"));
        Assert.True(RejectedLine(body, 11)["errors"]!.AsObject().ContainsKey("abandonedAt"));
        Assert.True(RejectedLine(body, 12)["errors"]!.AsObject().ContainsKey("completedAt"));
        Assert.True(RejectedLine(body, 13)["errors"]!.AsObject().ContainsKey("offeredAt"));
        Assert.Equal(409, (int)RejectedLine(body, 14)["status"]!);
        Assert.Equal(["outcome", "department"], RejectedLine(body, 14)["errors"]!.AsObject().Select(e => e.Key));
        Assert.True(RejectedLine(body, 15)["errors"]!.AsObject().ContainsKey("serviceLine"));
        Assert.Equal(409, (int)RejectedLine(body, 17)["status"]!);
        Assert.Equal(ids[11], (string)RejectedLine(body, 17)["callId"]!);

        // Stored exactly: 1 + 3 + 2 + 3 (+ the referral's 1) + 2 events, and nothing of a rejected line.
        Assert.Equal(before + 12, await Fixture.EventCountAsync());
        Assert.Equal(3, (await EventsOf($"call:{ids[1]}")).Count);
        Assert.Single(await EventsOf($"referral:ref-{ids[3]}"));
        Assert.Equal(3, (await EventsOf($"call:{live}")).Count);
        foreach (var rejected in ids[4..])
        {
            Assert.Empty(await EventsOf($"call:{rejected}"));
        }

        var call = await Get($"/api/calls/{ids[1]}", Acd);
        Assert.Equal("resolved", (string)call["outcome"]!);
        Assert.Equal("completed", (string)call["status"]!);
    }

    [Fact]
    public async Task Sending_the_same_batch_again_stores_nothing_new()
    {
        var contract = await GivenContract();
        var batch = string.Join('\n', Enumerable.Range(0, 20).Select(i => Record(UniqueId("b"), contract, change: r =>
        {
            if (i % 2 == 0)
            {
                AnsweredAndCompleted(r, i % 4 == 0 ? "callback-promised" : "resolved", i % 4 == 0 ? "buergerbuero" : null);
            }
        })));
        var (_, first) = await Import(batch, Acd);
        Assert.Equal(20, (long)first["accepted"]!);
        var before = await Fixture.EventCountAsync();

        var (status, again) = await Import(batch, Acd);

        Assert.Equal(200, status);
        Assert.Equal(0, (long)again["accepted"]!);
        Assert.Equal(20, (long)again["duplicates"]!);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task A_batch_larger_than_one_write_goes_through_whole()
    {
        var contract = await GivenContract();
        var ids = Enumerable.Range(0, 1_234).Select(_ => UniqueId("big")).ToArray();
        var batch = new StringBuilder();
        foreach (var id in ids)
        {
            batch.Append(Record(id, contract, change: r => AnsweredAndCompleted(r, "resolved"))).Append('\n');
        }

        var before = await Fixture.EventCountAsync();
        var (status, body) = await Import(batch.ToString(), Acd);

        Assert.Equal(200, status);
        Assert.Equal(ids.Length, (long)body["accepted"]!);
        Assert.Equal(0, (long)body["rejectedCount"]!);
        Assert.Equal(before + (3 * ids.Length), await Fixture.EventCountAsync());
        Assert.Equal("completed", (string)(await Get($"/api/calls/{ids[^1]}", Acd))["status"]!);
    }

    [Fact]
    public async Task A_call_taken_up_again_in_the_next_chunk_is_decided_on_what_the_chunk_before_stored()
    {
        // The next chunk is decided while the one before is still being saved (ADR 14).
        var contract = await GivenContract();
        var call = UniqueId("span");
        var batch = new StringBuilder().Append(Record(call, contract)).Append('\n');
        for (var i = 1; i < CallImport.ChunkSize; i++)
        {
            batch.Append(Record(UniqueId("fill"), contract)).Append('\n');
        }

        batch.Append(Record(call, contract, change: r => AnsweredAndCompleted(r, "referred", "ordnungsamt"))).Append('\n');
        batch.Append(Record(call, contract)).Append('\n');
        var before = await Fixture.EventCountAsync();

        var (status, body) = await Import(batch.ToString(), Acd);

        Assert.Equal(200, status);
        Assert.Equal(CallImport.ChunkSize + 1, (long)body["accepted"]!);
        Assert.Equal(1, (long)body["duplicates"]!);
        Assert.Equal(0, (long)body["rejectedCount"]!);
        Assert.Equal(before + CallImport.ChunkSize + 3, await Fixture.EventCountAsync()); // the completion's answer, completion and referral
        var recorded = await Get($"/api/calls/{call}", Acd);
        Assert.Equal(("completed", 3L), ((string)recorded["status"]!, (long)recorded["version"]!));
        await Get($"/api/referrals/ref-{call}", Tokens.For("department", "castrop-rauxel", "clerk"));
    }

    [Fact]
    public async Task A_contract_cached_before_a_change_made_elsewhere_is_read_again_not_held_against_the_lines()
    {
        var contract = await GivenContract();
        await Import(Record(UniqueId("c"), contract), Acd);
        var cache = Host.Services.GetRequiredService<ContractCache>();
        var before = (await Fixture.Store.QuerySession().LoadAsync<Contract>($"contract:{contract}"))!;
        await Post($"/api/contracts/{contract}/service-lines",
            JsonNode.Parse("""{"code":"ordnungswesen","name":"Ordnungswesen","from":"2021-01-01"}""")!, Tokens.ContractAdmin());
        cache.Hold(before);

        var (status, body) = await Import(
            $"{Record(UniqueId("c"), contract)}\n{Record(UniqueId("c"), contract, change: r => r["serviceLine"] = "ordnungswesen")}\n", Acd);

        Assert.Equal(200, status);
        Assert.Equal((2L, 0L), ((long)body["accepted"]!, (long)body["rejectedCount"]!));
    }

    [Fact]
    public async Task A_line_over_64_KiB_is_rejected_and_the_lines_around_it_are_stored()
    {
        var contract = await GivenContract();
        var (before, after) = (UniqueId("b"), UniqueId("b"));
        var huge = Record(UniqueId("b"), contract, change: r => r["topic"] = new string('x', 70_000));

        var (status, body) = await Import($"{Record(before, contract)}\n{huge}\n{Record(after, contract)}\n", Acd);

        Assert.Equal(200, status);
        Assert.Equal(2, (long)body["accepted"]!);
        var rejected = Assert.Single(body["rejected"]!.AsArray())!;
        Assert.Equal(2, (int)rejected["line"]!);
        Assert.Contains("65536 bytes", (string)rejected["errors"]!["$"]![0]!, StringComparison.Ordinal);
        Assert.Single(await EventsOf($"call:{after}"));
    }

    [Fact]
    public async Task An_empty_batch_is_400()
    {
        var before = await Fixture.EventCountAsync();
        foreach (var empty in new[] { string.Empty, "\n\n  \n" })
        {
            var (status, body) = await Import(empty, Acd);
            Assert.Equal(400, status);
            Assert.True(body["errors"]!.AsObject().ContainsKey("$"));
        }

        Assert.Equal(before, await Fixture.EventCountAsync());
    }

    [Fact]
    public async Task A_batch_must_be_ndjson()
    {
        var contract = await GivenContract();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text(Record(UniqueId("b"), contract)).ToUrl("/api/calls/batch");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(Acd);
            s.StatusCodeShouldBe(415);
        });

        Assert.Equal("application/problem+json", result.Context.Response.ContentType);
        Assert.Contains("application/x-ndjson", await result.ReadAsTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_service_centre_imports_and_only_onto_contracts_it_serves()
    {
        var contract = await GivenContract();
        var callId = UniqueId("b");

        var (forbidden, _) = await Import(Record(callId, contract), Department);
        var (status, body) = await Import(Record(callId, contract), Tokens.For("service-centre", "dortmund"));

        Assert.Equal(403, forbidden);
        Assert.Equal(200, status);
        Assert.Equal(404, (int)RejectedLine(body, 1)["status"]!);
        Assert.Empty(await EventsOf($"call:{callId}"));
    }
}
