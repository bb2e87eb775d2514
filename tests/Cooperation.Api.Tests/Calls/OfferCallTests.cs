using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cooperation.Api.Tests.Calls;

public sealed class OfferCallTests(AppFixture fixture) : ApiTest(fixture)
{
    private static readonly string Acd = Tokens.For("service-centre", "bochum", "acd");

    private static JsonObject Offer(string callId, string contractId, string serviceLine = "buergerbuero",
        string offeredAt = "2021-03-01T09:15:00+01:00", string? caller = null)
    {
        var body = new JsonObject { ["callId"] = callId, ["contractId"] = contractId, ["serviceLine"] = serviceLine, ["offeredAt"] = offeredAt };
        if (caller is not null)
        {
            body["caller"] = caller;
        }

        return body;
    }

    [Fact]
    public async Task OfferCall_starts_the_call_stream_and_answers_201()
    {
        var contract = await GivenContract();
        var callId = UniqueId("c");

        var call = await Post("/api/calls", Offer(callId, contract), Acd, 201);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            { "callId": "{{callId}}", "streamId": "call:{{callId}}", "version": 1, "status": "offered",
              "contractId": "{{contract}}", "serviceLine": "buergerbuero", "offeredAt": "2021-03-01T09:15:00+01:00",
              "callerKnown": false, "answeredAt": null, "agentId": null, "abandonedAt": null,
              "completedAt": null, "outcome": null, "topic": null, "department": null, "referralId": null,
              "appointmentId": null, "corrections": 0 }
            """), call), call.ToJsonString());
        Assert.True(JsonNode.DeepEquals(call, await Get($"/api/calls/{callId}", Tokens.Auditor)));
    }

    [Fact]
    public async Task OfferCall_repeated_identically_is_200_and_stores_nothing_and_differently_is_409_naming_the_field()
    {
        var contract = await GivenContract();
        var callId = UniqueId("c");
        await Post("/api/calls", Offer(callId, contract, caller: "0234 9100"), Acd, 201);
        var before = await Fixture.EventCountAsync();

        await Post("/api/calls", Offer(callId, contract, caller: "+49 234 9100"), Acd, 200);
        Assert.Equal(before, await Fixture.EventCountAsync());

        await Refused("/api/calls", Offer(callId, contract, offeredAt: "2021-03-01T09:16:00+01:00"), Acd, 409, "offeredAt", "was recorded as offered");
        await Refused("/api/calls", Offer(callId, contract, caller: "0234 9101"), Acd, 409, "caller", "another caller");
    }

    [Fact]
    public async Task OfferCall_twice_at_the_same_moment_stores_one_event_and_both_succeed()
    {
        var contract = await GivenContract();
        var callId = UniqueId("race");
        var body = Offer(callId, contract).ToJsonString();

        var statuses = await Racing("/api/calls", body, Acd);

        Assert.All(statuses, r => Assert.Contains(r.Context.Response.StatusCode, new[] { 200, 201 }));
        await using var session = Fixture.Store.QuerySession();
        Assert.Single(await session.Events.FetchStreamAsync($"call:{callId}"));
    }

    [Fact]
    public async Task The_callers_number_is_stored_only_as_a_keyed_hash()
    {
        var contract = await GivenContract();
        var callId = UniqueId("pii");

        var call = await Post("/api/calls", Offer(callId, contract, caller: "+49 2305 106-0"), Acd, 201);

        Assert.True((bool)call["callerKnown"]!);
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select data::text from {Fixture.Schema}.mt_events where stream_id = 'call:{callId}'", connection);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.DoesNotContain("2305", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("106", stored.Replace(callId, string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Matches("\"callerHash\": ?\"[0-9a-f]{64}\"", stored);
    }

    [Fact]
    public async Task An_offer_is_decided_on_the_contract_as_stored_even_when_an_older_one_is_cached()
    {
        var contract = await GivenContract();
        await Post("/api/calls", Offer(UniqueId("c"), contract), Acd, 201);
        var before = (await Fixture.Store.QuerySession().LoadAsync<Api.Contracts.Contract>($"contract:{contract}"))!;
        await Post($"/api/contracts/{contract}/service-lines",
            JsonNode.Parse("""{"code":"ordnungswesen","name":"Ordnungswesen","from":"2021-01-01"}""")!, Tokens.ContractAdmin());
        var cache = Host.Services.GetRequiredService<Api.Contracts.ContractCache>();

        cache.Hold(before); // the refusal the old contract gives ("no such line") is checked and made again
        await Post("/api/calls", Offer(UniqueId("c"), contract, "ordnungswesen", "2021-01-04T10:00:00+01:00"), Acd, 201);
        cache.Hold(before); // the acceptance the old contract gives is saved only against the contract as stored
        var offered = await Post("/api/calls", Offer(UniqueId("c"), contract), Acd, 201);
        Assert.Equal(1L, (long)offered["version"]!);
    }

    [Fact]
    public async Task OfferCall_on_a_line_the_contract_does_not_serve_on_that_day_is_404_naming_serviceLine()
    {
        var contract = await GivenContract();
        await Post($"/api/contracts/{contract}/service-lines",
            JsonNode.Parse("""{"code":"ordnungswesen","name":"Ordnungswesen","from":"2021-01-01"}""")!, Tokens.ContractAdmin());

        await Refused("/api/calls", Offer(UniqueId("c"), contract, "ordnungswesen", "2020-12-31T10:00:00+01:00"), Acd, 404, "serviceLine");
        await Refused("/api/calls", Offer(UniqueId("c"), contract, "kfz"), Acd, 404, "serviceLine");
        await Post("/api/calls", Offer(UniqueId("c"), contract, "ordnungswesen", "2021-01-04T10:00:00+01:00"), Acd, 201);
    }

    [Fact]
    public async Task OfferCall_after_the_end_of_a_terminated_contract_is_409()
    {
        var contract = await GivenContract();
        await Post($"/api/contracts/{contract}/termination", JsonNode.Parse("""{"endsOn":"2021-06-30"}""")!, Tokens.ContractAdmin());

        // 2021-06-30T23:30 UTC is already 1 July in Berlin.
        await Refused("/api/calls", Offer(UniqueId("c"), contract, offeredAt: "2021-06-30T23:30:00Z"), Acd, 409, "offeredAt", "terminated");
        await Post("/api/calls", Offer(UniqueId("c"), contract, offeredAt: "2021-06-30T21:30:00Z"), Acd, 201);
    }

    [Fact]
    public async Task OfferCall_on_an_unknown_or_foreign_contract_is_404()
    {
        var contract = await GivenContract();

        await Refused("/api/calls", Offer(UniqueId("c"), "no-such-contract"), Acd, 404, "contractId");
        await Refused("/api/calls", Offer(UniqueId("c"), contract), Tokens.For("service-centre", "dortmund"), 404, "contractId");
    }

    [Fact]
    public async Task OfferCall_in_the_future_beyond_the_clock_skew_is_400()
    {
        var contract = await GivenContract();
        var future = DateTimeOffset.UtcNow.AddHours(1).ToString("O");

        await Refused("/api/calls", Offer(UniqueId("c"), contract, offeredAt: future), Acd, 400, "offeredAt", "future");
    }

    [Theory]
    [InlineData("callId", "", "callId", "must not be empty")]
    [InlineData("callId", "has spaces", "callId", "letters, digits")]
    [InlineData("serviceLine", "Bürgerbüro", "serviceLine", "kebab-case")]
    [InlineData("offeredAt", "2021-03-01T09:15:00", "offeredAt", "instant")]
    [InlineData("offeredAt", "yesterday", "offeredAt", "instant")]
    [InlineData("caller", "not a number", "caller", "phone number")]
    public async Task OfferCall_with_a_bad_field_is_400_naming_it(string path, string value, string field, string rule)
    {
        var contract = await GivenContract();

        await Refused("/api/calls", Offer(UniqueId("c"), contract).With(path, value), Acd, 400, field, rule);
    }

    [Theory]
    [InlineData("contract-admin")]
    [InlineData("finance")]
    [InlineData("auditor")]
    public async Task Only_the_service_centre_reports_calls(string role)
    {
        var contract = await GivenContract();

        await Refused("/api/calls", Offer(UniqueId("c"), contract), Tokens.For(role), 403);
    }
}
