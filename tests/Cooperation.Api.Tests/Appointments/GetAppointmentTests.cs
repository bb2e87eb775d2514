using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Appointments;

public sealed class GetAppointmentTests(AppFixture fixture) : AppointmentTest(fixture)
{
    [Fact]
    public async Task An_appointment_is_hidden_from_other_municipalities()
    {
        var id = await GivenAppointment();

        await Get($"/api/appointments/{id}", Tokens.For("finance", "castrop-rauxel"));
        await Get($"/api/appointments/{id}", Tokens.For("finance", "bochum"));
        await Get($"/api/appointments/{id}", Tokens.For("department", "dortmund"), 404);
        await Get("/api/appointments/no-such-appointment", Tokens.Auditor, 404);
    }

    [Fact]
    public async Task An_appointment_is_shown_as_it_was_at_a_version()
    {
        var id = await GivenAppointment();
        await Post($"/api/appointments/{id}/rescheduled", new JsonObject { ["startsAt"] = "2021-03-03T11:00:00+01:00" }, Agent);

        var first = await Get($"/api/appointments/{id}?version=1", Tokens.Auditor);
        Assert.Equal("2021-03-02T10:00:00+01:00", (string)first["startsAt"]!);
        Assert.Equal(1, (int)first["version"]!);
        Assert.Equal(2, (int)(await Get($"/api/appointments/{id}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(1).ToString("O"))}", Tokens.Auditor))["version"]!);
        await Get($"/api/appointments/{id}?version=3", Tokens.Auditor, 404);
        await Get($"/api/appointments/{id}?asOf=2020-01-01T00:00:00Z", Tokens.Auditor, 404);
        await Get($"/api/appointments/{id}?version=zero", Tokens.Auditor, 400);
    }

    [Fact]
    public async Task Appointments_are_listed_per_contract_by_start_and_status()
    {
        var contract = await GivenContract();
        var later = UniqueId("apt");
        var earlier = UniqueId("apt");
        await Post("/api/appointments", Booking(later, contract, "2021-03-05T10:00:00+01:00"), Agent, 201);
        await Post("/api/appointments", Booking(earlier, contract, "2021-03-04T10:00:00+01:00"), Agent, 201);
        await Post($"/api/appointments/{earlier}/cancelled", new JsonObject(), Agent);
        await GivenAppointment(); // on another contract

        var all = (await Get($"/api/appointments?contractId={contract}", Clerk)).AsArray();
        Assert.Equal([earlier, later], all.Select(a => (string)a!["appointmentId"]!));
        var cancelled = (await Get($"/api/appointments?contractId={contract}&status=cancelled", Clerk)).AsArray();
        Assert.Equal([earlier], cancelled.Select(a => (string)a!["appointmentId"]!));

        await Get($"/api/appointments?contractId={contract}", Tokens.For("department", "dortmund"), 404);
        await Get($"/api/appointments?contractId={contract}&status=open", Clerk, 400);
        await Get("/api/appointments", Clerk, 400);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_appointment_endpoints()
    {
        var document = await Send(HttpMethod.Get, "/swagger/v1/swagger.json", null, null, 200);

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.Superset(new HashSet<string>(
        [
            "/api/appointments", "/api/appointments/{appointmentId}", "/api/appointments/{appointmentId}/rescheduled",
            "/api/appointments/{appointmentId}/cancelled", "/api/appointments/{appointmentId}/attended", "/api/appointments/{appointmentId}/missed",
        ]), paths);
    }
}
