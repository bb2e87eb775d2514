using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Appointments;

public sealed class BookAppointmentTests(AppFixture fixture) : AppointmentTest(fixture)
{
    [Fact]
    public async Task BookAppointment_starts_the_stream_and_answers_201_with_the_appointment()
    {
        var contract = await GivenContract();
        var id = UniqueId("apt");

        var result = await Host.Scenario(s =>
        {
            s.Post.Text(Booking(id, contract).ToJsonString()).ToUrl("/api/appointments");
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithBearerToken(Clerk);
            s.StatusCodeShouldBe(201);
            s.Header("Location").SingleValueShouldEqual($"/api/appointments/{id}");
        });
        var appointment = JsonNode.Parse(await result.ReadAsTextAsync())!;

        var bookedAt = (string)appointment["bookedAt"]!;
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse(bookedAt, System.Globalization.CultureInfo.InvariantCulture) < TimeSpan.FromMinutes(1));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            { "appointmentId": "{{id}}", "streamId": "appointment:{{id}}", "version": 1, "status": "booked",
              "contractId": "{{contract}}", "callId": null, "service": "Personalausweis beantragen",
              "startsAt": "2021-03-02T10:00:00+01:00", "bookedAt": "{{bookedAt}}", "rescheduledAt": null,
              "cancelledAt": null, "cancellationReason": null, "recordedAt": null }
            """), appointment), appointment.ToJsonString());
        Assert.True(JsonNode.DeepEquals(appointment, await Get($"/api/appointments/{id}", Tokens.Auditor)));
    }

    [Fact]
    public async Task BookAppointment_without_an_id_makes_one()
    {
        var appointment = await Post("/api/appointments", Booking(null, await GivenContract()), Agent, 201);

        Assert.Matches("^apt-[0-9a-f]{32}$", (string)appointment["appointmentId"]!);
    }

    [Fact]
    public async Task BookAppointment_repeated_is_200_and_stores_nothing_and_differently_is_409_naming_each_field()
    {
        var contract = await GivenContract();
        var id = UniqueId("apt");
        await Post("/api/appointments", Booking(id, contract), Agent, 201);
        var before = await Fixture.EventCountAsync();

        await Post("/api/appointments", Booking(id, contract, startsAt: "2021-03-02T09:00:00Z"), Agent, 200); // the same instant
        Assert.Equal(before, await Fixture.EventCountAsync());

        var problem = await Refused("/api/appointments", Booking(id, contract, "2021-03-02T11:00:00+01:00", "Reisepass"), Agent, 409, "startsAt", "was booked to start at");
        Assert.True(problem["errors"]!.AsObject().ContainsKey("service"), problem.ToJsonString());
        await Refused("/api/appointments", Booking(id, await GivenContract()), Agent, 409, "contractId", "was booked on contract");
    }

    [Fact]
    public async Task Identical_bookings_racing_store_one_stream()
    {
        var contract = await GivenContract();
        var id = UniqueId("race");

        await Racing("/api/appointments", Booking(id, contract));

        Assert.Equal(1, await EventsOf(id));
    }

    [Fact]
    public async Task BookAppointment_on_an_unknown_or_foreign_contract_is_404_naming_contractId()
    {
        var contract = await GivenContract();

        await Refused("/api/appointments", Booking(UniqueId("apt"), "no-such-contract"), Agent, 404, "contractId");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract), Tokens.For("department", "dortmund"), 404, "contractId");
    }

    [Fact]
    public async Task BookAppointment_outside_the_contracts_term_is_409_naming_startsAt()
    {
        var contract = await GivenContract();
        await Post($"/api/contracts/{contract}/termination", JsonNode.Parse("""{"endsOn":"2021-06-30"}""")!, Tokens.ContractAdmin());

        // 2021-06-30T22:30 UTC is already 1 July in Berlin.
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, "2021-06-30T22:30:00Z"), Agent, 409, "startsAt", "does not cover 2021-07-01");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, "2020-11-01T10:00:00+01:00"), Agent, 409, "startsAt", "does not cover");
        await Post("/api/appointments", Booking(UniqueId("apt"), contract, "2021-06-30T21:30:00Z"), Agent, 201);
    }

    [Fact]
    public async Task Malformed_bookings_are_400_naming_the_field()
    {
        var contract = await GivenContract();

        await Refused("/api/appointments", Booking(UniqueId("apt"), contract).Without("startsAt"), Agent, 400, "startsAt");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, "2021-03-02T10:00:00"), Agent, 400, "startsAt", "instant");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, "1921-03-02T10:00:00Z"), Agent, 400, "startsAt", "between 2000 and 2200");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, service: ""), Agent, 400, "service");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, service: new string('x', 201)), Agent, 400, "service");
        await Refused("/api/appointments", Booking("no spaces", contract), Agent, 400, "appointmentId");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract).With("contractId", 42), Agent, 400, "contractId");
        await Refused("/api/appointments", """{"contractId": """, Agent, 400);
    }

    [Fact]
    public async Task Only_the_service_centre_and_departments_book()
    {
        var contract = await GivenContract();

        await Refused("/api/appointments", Booking(UniqueId("apt"), contract), Tokens.For("finance"), 403);
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract), Tokens.Auditor, 403);
    }

    [Fact]
    public async Task An_appointment_is_booked_in_an_answered_call_of_the_same_contract()
    {
        var contract = await GivenContract();
        var answered = await GivenCall(contract, answeredAt: "2021-03-01T09:15:20+01:00");

        var appointment = await Post("/api/appointments", Booking(UniqueId("apt"), contract, callId: answered), Agent, 201);

        Assert.Equal(answered, (string)appointment["callId"]!);
    }

    [Fact]
    public async Task A_call_that_does_not_exist_or_is_out_of_reach_is_404_naming_callId()
    {
        var contract = await GivenContract();
        var foreign = await GivenContract(c => c.With("client.id", "dortmund"));
        var foreignCall = await GivenCall(foreign, answeredAt: "2021-03-01T09:15:20+01:00");
        var clerk = Tokens.For("department", "castrop-rauxel");

        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, callId: "no-such-call"), Agent, 404, "callId");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, callId: foreignCall), clerk, 404, "callId");
    }

    [Fact]
    public async Task A_call_of_another_contract_is_409_naming_callId()
    {
        var contract = await GivenContract();
        var other = await GivenCall(await GivenContract(), answeredAt: "2021-03-01T09:15:20+01:00");

        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, callId: other), Agent, 409, "callId", "was taken on contract");
    }

    [Fact]
    public async Task A_call_only_offered_or_abandoned_is_409_naming_callId()
    {
        var contract = await GivenContract();
        var offered = await GivenCall(contract);
        var abandoned = await GivenCall(contract, abandonedAt: "2021-03-01T09:16:00+01:00");

        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, callId: offered), Agent, 409, "callId", "has not been answered");
        await Refused("/api/appointments", Booking(UniqueId("apt"), contract, callId: abandoned), Agent, 409, "callId", "was abandoned");
    }
}
