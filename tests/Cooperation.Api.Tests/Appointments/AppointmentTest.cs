using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;
using Marten;

namespace Cooperation.Api.Tests.Appointments;

/// <summary>Givens shared by the appointment tests: a contract, an appointment on it, a call to book in.</summary>
public abstract class AppointmentTest(AppFixture fixture) : ApiTest(fixture)
{
    protected const string Past = "2021-03-02T10:00:00+01:00";

    /// <summary>Beyond the two minutes a client's clock may run ahead of ours.</summary>
    protected static string Future => DateTimeOffset.UtcNow.AddMinutes(5).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    protected static readonly string Agent = Tokens.For("service-centre", "bochum", "agent-7");

    protected static readonly string Clerk = Tokens.For("department", "castrop-rauxel", "clerk");

    protected static JsonObject Booking(string? appointmentId, string contractId, string startsAt = Past,
        string service = "Personalausweis beantragen", string? callId = null)
    {
        var body = new JsonObject { ["contractId"] = contractId, ["service"] = service, ["startsAt"] = startsAt };
        if (appointmentId is not null)
        {
            body["appointmentId"] = appointmentId;
        }

        if (callId is not null)
        {
            body["callId"] = callId;
        }

        return body;
    }

    /// <summary>Given: an appointment booked on a new contract; returns its id.</summary>
    protected async Task<string> GivenAppointment(string startsAt = Past)
    {
        var id = UniqueId("apt");
        await Post("/api/appointments", Booking(id, await GivenContract(), startsAt), Agent, 201);
        return id;
    }

    /// <summary>Given: a call offered on the contract (and answered or abandoned when a time is given); returns its id.</summary>
    protected async Task<string> GivenCall(string contractId, string? answeredAt = null, string? abandonedAt = null)
    {
        var callId = UniqueId("c");
        await Post("/api/calls", new JsonObject
        {
            ["callId"] = callId, ["contractId"] = contractId, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-01T09:15:00+01:00",
        }, Agent, 201);
        if (answeredAt is not null)
        {
            await Post($"/api/calls/{callId}/answered", new JsonObject { ["answeredAt"] = answeredAt, ["agentId"] = "agent-7" }, Agent);
        }

        if (abandonedAt is not null)
        {
            await Post($"/api/calls/{callId}/abandoned", new JsonObject { ["abandonedAt"] = abandonedAt }, Agent);
        }

        return callId;
    }

    protected async Task<int> EventsOf(string appointmentId)
    {
        await using var session = Fixture.Store.QuerySession();
        return (await session.Events.FetchStreamAsync($"appointment:{appointmentId}")).Count;
    }

    /// <summary>Sends the same request four times at once; all must get <paramref name="status"/> (or 201 for the winner of a booking).</summary>
    protected async Task Racing(string url, JsonNode body, int status = 200)
    {
        var json = body.ToJsonString();
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Host.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(url);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(Agent);
            s.IgnoreStatusCode();
        })));

        Assert.All(results, r => Assert.Contains(r.Context.Response.StatusCode, new[] { status, 201 }));
    }
}
