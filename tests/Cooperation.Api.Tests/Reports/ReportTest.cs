using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Calls;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Reports;

/// <summary>Tests of the quarterly report: calls told as the telephony system and the departments tell them.</summary>
public abstract class ReportTest(AppFixture fixture) : CallTest(fixture)
{
    protected static readonly string Finance = Tokens.For("finance", "castrop-rauxel");
    protected static readonly string Auditor = Tokens.For("auditor");

    /// <summary>The demo's terms with both lines served from the start.</summary>
    protected Task<string> GivenContractWithTwoLines() => GivenContract(body => body.With("serviceLines", new JsonArray(
        new JsonObject { ["code"] = "buergerbuero", ["name"] = "Bürgerbüro", ["from"] = "2020-11-02" },
        new JsonObject { ["code"] = "ordnungswesen", ["name"] = "Ordnungswesen", ["from"] = "2020-11-02" })));

    protected async Task<string> Offered(string contract, string line, string at)
    {
        var callId = UniqueId("c");
        await Post("/api/calls", new JsonObject { ["callId"] = callId, ["contractId"] = contract, ["serviceLine"] = line, ["offeredAt"] = at }, Acd, 201);
        return callId;
    }

    protected async Task<string> Answered(string contract, string line, string offeredAt, string answeredAt)
    {
        var callId = await Offered(contract, line, offeredAt);
        await Post($"/api/calls/{callId}/answered", Answered(answeredAt), Acd);
        return callId;
    }

    protected async Task<string> Abandoned(string contract, string line, string offeredAt, string abandonedAt)
    {
        var callId = await Offered(contract, line, offeredAt);
        await Post($"/api/calls/{callId}/abandoned", Abandoned(abandonedAt), Acd);
        return callId;
    }

    protected Task Complete(string callId, string outcome, string at, string? department = null, string? appointmentId = null)
    {
        var body = Completed(outcome, at, department);
        body["appointmentId"] = appointmentId;
        return Post($"/api/calls/{callId}/completed", body, Acd);
    }

    protected Task Correct(string callId, JsonObject correction) =>
        Post($"/api/calls/{callId}/corrections", correction, Acd, 201);

    protected async Task AnswerReferral(string callId, string acceptedAt, string answeredAt)
    {
        await Post($"/api/referrals/ref-{callId}/accepted", new JsonObject { ["acceptedAt"] = acceptedAt }, Department);
        await Post($"/api/referrals/ref-{callId}/answered", new JsonObject { ["answeredAt"] = answeredAt }, Department);
    }

    protected async Task<string> BookAppointment(string contract, string callId, string startsAt)
    {
        var appointmentId = UniqueId("a");
        await Post("/api/appointments", new JsonObject
        {
            ["appointmentId"] = appointmentId, ["contractId"] = contract, ["callId"] = callId, ["service"] = "Personalausweis", ["startsAt"] = startsAt,
        }, Acd, 201);
        return appointmentId;
    }

    /// <summary>The report once the projections have caught up with every event so far.</summary>
    protected async Task<JsonObject> Report(string contract, int year, int quarter, string? asOf = null, string? token = null)
    {
        await Fixture.ProjectionsCaughtUpAsync();
        var query = asOf is null ? string.Empty : $"?asOf={Uri.EscapeDataString(asOf)}";
        return (await Get($"/api/reports/quarterly/{contract}/{year}/{quarter}{query}", token ?? Finance)).AsObject();
    }

    /// <summary>The report without what says how current it is, to compare figures alone.</summary>
    protected static JsonObject Figures(JsonObject report)
    {
        var copy = report.DeepClone().AsObject();
        copy.Remove("current");
        return copy;
    }
}
