using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Billing;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Audit;

/// <summary>Auditors' tests: one stream of every kind to read, replay and tamper with.</summary>
public abstract class AuditTest(AppFixture fixture) : BillingTest(fixture)
{
    protected static readonly string Auditor = Tokens.For("auditor");

    /// <summary>Where the API shows a stream's state: <c>call:c-1</c> at <c>/api/calls/c-1</c>.</summary>
    protected static string StateOf(string streamId)
    {
        var (kind, id) = (streamId[..streamId.IndexOf(':', StringComparison.Ordinal)], streamId[(streamId.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        return $"/api/{kind}s/{id}";
    }

    /// <summary>One stream of each kind, each with at least two events, written through the API.</summary>
    protected async Task<IReadOnlyDictionary<string, string>> GivenOneStreamOfEachKind()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd");
        var department = Tokens.For("department", "castrop-rauxel", "clerk");
        await Post($"/api/contracts/{contract}/closure-days", new JsonObject { ["date"] = "2021-03-10" }, Tokens.For("contract-admin", provider));

        var call = UniqueId("c");
        await Post("/api/calls", new JsonObject
        {
            ["callId"] = call, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-01T09:00:00+01:00",
            ["caller"] = "+49 2305 106-0",
        }, acd, 201);
        await Post($"/api/calls/{call}/answered", new JsonObject { ["answeredAt"] = "2021-03-01T09:00:20+01:00", ["agentId"] = "a-1" }, acd);
        await Post($"/api/calls/{call}/completed", new JsonObject
        {
            ["completedAt"] = "2021-03-01T09:04:00+01:00", ["outcome"] = "referred", ["department"] = "ordnungsamt", ["topic"] = "Anwohnerparkausweis",
        }, acd);
        await Post($"/api/referrals/ref-{call}/accepted", new JsonObject { ["acceptedAt"] = "2021-03-01T10:00:00+01:00" }, department);

        var booked = UniqueId("c");
        await Post("/api/calls", new JsonObject
        {
            ["callId"] = booked, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-02T09:00:00+01:00",
        }, acd, 201);
        await Post($"/api/calls/{booked}/answered", new JsonObject { ["answeredAt"] = "2021-03-02T09:00:20+01:00", ["agentId"] = "a-1" }, acd);
        var appointment = UniqueId("a");
        await Post("/api/appointments", new JsonObject
        {
            ["appointmentId"] = appointment, ["contractId"] = contract, ["callId"] = booked, ["service"] = "Reisepass", ["startsAt"] = "2021-03-10T10:00:00+01:00",
        }, acd, 201);
        await Post($"/api/appointments/{appointment}/rescheduled", new JsonObject { ["startsAt"] = "2021-03-11T10:00:00+01:00" }, acd);

        var invoice = await Invoice(contract, provider, 2021, 1);
        await Pay(Id(invoice), provider, 100m, DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

        // Tampered with only once projected: the shared store's report projection would otherwise read the tampered
        // events (a contract stream without its signing, say), stop, and stop every later test's reports with it.
        await Fixture.ProjectionsCaughtUpAsync();
        return new Dictionary<string, string>
        {
            ["contract"] = $"contract:{contract}",
            ["call"] = $"call:{call}",
            ["referral"] = $"referral:ref-{call}",
            ["appointment"] = $"appointment:{appointment}",
            ["invoice"] = $"invoice:{Id(invoice)}",
        };
    }

}
