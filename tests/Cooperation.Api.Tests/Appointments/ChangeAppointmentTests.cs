using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Appointments;

/// <summary>Rescheduled, cancelled, attended, missed: what may follow what, and retries.</summary>
public sealed class ChangeAppointmentTests(AppFixture fixture) : AppointmentTest(fixture)
{
    private static JsonObject StartsAt(string at) => new() { ["startsAt"] = at };

    private static JsonObject Reason(string? reason) => new() { ["reason"] = reason };

    private static readonly JsonObject Empty = [];

    [Fact]
    public async Task RescheduleAppointment_moves_the_start_and_repeated_stores_nothing()
    {
        var id = await GivenAppointment();

        var appointment = await Post($"/api/appointments/{id}/rescheduled", StartsAt("2021-03-03T11:00:00+01:00"), Clerk);
        Assert.Equal("2021-03-03T11:00:00+01:00", (string)appointment["startsAt"]!);
        Assert.Equal(2, (int)appointment["version"]!);
        Assert.NotNull(appointment["rescheduledAt"]);

        await Post($"/api/appointments/{id}/rescheduled", StartsAt("2021-03-03T10:00:00Z"), Clerk); // the same instant
        Assert.Equal(2, await EventsOf(id));
    }

    [Fact]
    public async Task RescheduleAppointment_outside_the_contracts_term_is_409_and_without_startsAt_400()
    {
        var id = await GivenAppointment();

        await Refused($"/api/appointments/{id}/rescheduled", StartsAt("2020-10-30T10:00:00+01:00"), Agent, 409, "startsAt", "does not cover");
        await Refused($"/api/appointments/{id}/rescheduled", Empty, Agent, 400, "startsAt");
        await Refused($"/api/appointments/{id}/rescheduled", """{"startsAt": 5}""", Agent, 400, "startsAt");
    }

    [Fact]
    public async Task CancelAppointment_records_the_reason_and_twice_is_200_but_with_another_reason_409()
    {
        var id = await GivenAppointment();

        var appointment = await Post($"/api/appointments/{id}/cancelled", Reason("citizen called to cancel"), Agent);
        Assert.Equal("cancelled", (string)appointment["status"]!);
        Assert.Equal("citizen called to cancel", (string)appointment["cancellationReason"]!);

        await Post($"/api/appointments/{id}/cancelled", Reason("citizen called to cancel"), Agent);
        Assert.Equal(2, await EventsOf(id));
        await Refused($"/api/appointments/{id}/cancelled", Reason("moved away"), Agent, 409, "reason", "another reason");
    }

    [Fact]
    public async Task CancelAppointment_without_a_reason_is_fine()
    {
        var id = await GivenAppointment();

        var appointment = await Post($"/api/appointments/{id}/cancelled", Empty, Clerk);

        Assert.Equal("cancelled", (string)appointment["status"]!);
        Assert.Null(appointment["cancellationReason"]);
    }

    [Fact]
    public async Task Nothing_changes_after_cancelled_attended_or_missed()
    {
        var cancelled = await GivenAppointment();
        await Post($"/api/appointments/{cancelled}/cancelled", Empty, Agent);
        await Refused($"/api/appointments/{cancelled}/rescheduled", StartsAt("2021-03-03T11:00:00+01:00"), Agent, 409, "status", "was cancelled");
        await Refused($"/api/appointments/{cancelled}/attended", Empty, Agent, 409, "status", "was cancelled");

        var missed = await GivenAppointment();
        await Post($"/api/appointments/{missed}/missed", Empty, Agent);
        await Refused($"/api/appointments/{missed}/attended", Empty, Agent, 409, "status", "recorded as missed");
        await Refused($"/api/appointments/{missed}/cancelled", Empty, Agent, 409, "status", "recorded as missed");

        var attended = await GivenAppointment();
        await Post($"/api/appointments/{attended}/attended", Empty, Agent);
        await Refused($"/api/appointments/{attended}/missed", Empty, Agent, 409, "status", "recorded as attended");
        await Refused($"/api/appointments/{attended}/rescheduled", StartsAt("2021-03-03T11:00:00+01:00"), Agent, 409, "status", "recorded as attended");
    }

    [Fact]
    public async Task Attended_and_missed_are_recorded_once_and_repeated_store_nothing()
    {
        var attended = await GivenAppointment();
        var appointment = await Post($"/api/appointments/{attended}/attended", Empty, Clerk);
        Assert.Equal("attended", (string)appointment["status"]!);
        Assert.NotNull(appointment["recordedAt"]);
        await Post($"/api/appointments/{attended}/attended", Empty, Clerk);
        Assert.Equal(2, await EventsOf(attended));

        var missed = await GivenAppointment();
        Assert.Equal("missed", (string)(await Post($"/api/appointments/{missed}/missed", Empty, Agent))["status"]!);
        await Post($"/api/appointments/{missed}/missed", Empty, Agent);
        Assert.Equal(2, await EventsOf(missed));
    }

    [Fact]
    public async Task Attended_or_missed_before_the_appointment_starts_is_409_naming_startsAt()
    {
        var id = await GivenAppointment(Future);

        await Refused($"/api/appointments/{id}/attended", Empty, Agent, 409, "startsAt", "once it has begun");
        await Refused($"/api/appointments/{id}/missed", Empty, Agent, 409, "startsAt", "once it has begun");
    }

    [Fact]
    public async Task Identical_changes_racing_store_one_event()
    {
        var rescheduled = await GivenAppointment();
        await Racing($"/api/appointments/{rescheduled}/rescheduled", StartsAt("2021-03-03T11:00:00+01:00"));
        Assert.Equal(2, await EventsOf(rescheduled));

        var attended = await GivenAppointment();
        await Racing($"/api/appointments/{attended}/attended", Empty);
        Assert.Equal(2, await EventsOf(attended));
    }

    [Fact]
    public async Task Changing_an_unknown_or_foreign_appointment_is_404()
    {
        var id = await GivenAppointment();

        await Refused("/api/appointments/no-such-appointment/cancelled", Empty, Agent, 404);
        await Refused($"/api/appointments/{id}/cancelled", Empty, Tokens.For("department", "dortmund"), 404);
        await Refused($"/api/appointments/{id}/cancelled", Empty, Tokens.For("finance", "castrop-rauxel"), 403);
    }
}
