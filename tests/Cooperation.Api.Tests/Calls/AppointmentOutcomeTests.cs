using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Calls;

/// <summary>A call in which an appointment is booked has, or gets, the outcome 'appointment-booked'.</summary>
public sealed class AppointmentOutcomeTests(AppFixture fixture) : CallTest(fixture)
{
    private async Task<(string Contract, string CallId, string AppointmentId)> GivenAppointmentBookedInACall()
    {
        var contract = await GivenContract();
        var callId = await GivenAnsweredCall(contract);
        var appointmentId = UniqueId("apt");
        await Post("/api/appointments", new JsonObject
        {
            ["appointmentId"] = appointmentId, ["contractId"] = contract, ["callId"] = callId,
            ["service"] = "Personalausweis beantragen", ["startsAt"] = "2021-03-04T10:00:00+01:00",
        }, Acd, 201);
        return (contract, callId, appointmentId);
    }

    [Fact]
    public async Task A_call_with_a_booked_appointment_is_completed_only_as_appointment_booked()
    {
        var (_, callId, appointmentId) = await GivenAppointmentBookedInACall();

        await Refused($"/api/calls/{callId}/completed", Completed("resolved"), Acd, 409, "outcome", appointmentId);
        await Refused($"/api/calls/{callId}/completed", Completed("referred", department: "ordnungsamt"), Acd, 409, "outcome");
        var completion = Completed("appointment-booked");
        completion["appointmentId"] = appointmentId;
        var call = await Post($"/api/calls/{callId}/completed", completion, Acd);

        Assert.Equal(appointmentId, (string)call["appointmentId"]!);
        await Refused($"/api/calls/{callId}/corrections", new JsonObject { ["reason"] = "agent picked the wrong outcome", ["outcome"] = "resolved" },
            Acd, 409, "outcome", "appointment-booked");
    }

    [Fact]
    public async Task An_appointment_is_not_booked_in_a_call_settled_otherwise()
    {
        var contract = await GivenContract();
        var callId = await GivenCompletedCall(Completed("resolved"), contract);

        await Refused("/api/appointments", new JsonObject
        {
            ["contractId"] = contract, ["callId"] = callId, ["service"] = "Meldebescheinigung", ["startsAt"] = "2021-03-04T10:00:00+01:00",
        }, Acd, 409, "callId", "'resolved'");
    }

    [Fact]
    public async Task A_completion_names_only_an_appointment_of_its_own_call()
    {
        var (contract, _, appointmentId) = await GivenAppointmentBookedInACall();
        var other = await GivenAnsweredCall(contract);
        var completion = Completed("appointment-booked");
        completion["appointmentId"] = appointmentId;

        await Refused($"/api/calls/{other}/completed", completion, Acd, 409, "appointmentId");
    }

    [Fact]
    public async Task A_batch_line_follows_the_same_rule()
    {
        var (contract, callId, _) = await GivenAppointmentBookedInACall();
        var line = new JsonObject
        {
            ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-01T09:15:00+01:00",
            ["answeredAt"] = "2021-03-01T09:15:20+01:00", ["agentId"] = "agent-7", ["completedAt"] = "2021-03-01T09:19:00+01:00", ["outcome"] = "resolved",
        };
        var before = await Fixture.EventCountAsync();

        var result = await Host.Scenario(s =>
        {
            s.Post.Text(line.ToJsonString()).ToUrl("/api/calls/batch");
            s.WithRequestHeader("Content-Type", "application/x-ndjson");
            s.WithBearerToken(Acd);
        });

        var rejected = Assert.Single(JsonNode.Parse(await result.ReadAsTextAsync())!["rejected"]!.AsArray())!;
        Assert.Equal(409, (int)rejected["status"]!);
        Assert.NotNull(rejected["errors"]!["outcome"]);
        Assert.Equal(before, await Fixture.EventCountAsync());
    }
}
