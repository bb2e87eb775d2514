using System.Text.Json.Nodes;
using Cooperation.Api.Calls;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cooperation.Api.Tests.Audit;

/// <summary>
/// Erasure and retention (domain §5, issue 13 item 3): a caller's personal data is masked wherever it was stored, and
/// every report, invoice, reconciliation and hash chain is the same afterwards.
/// </summary>
public sealed class ErasureTests(AppFixture fixture) : AuditTest(fixture)
{
    // A number no other test calls with: the store is shared, and another provider's calls by it stay.
    private static readonly string Number = $"+49 2305 {Random.Shared.Next(100_000, 999_999)}";

    private async Task<string> CallAsync(string contract, string acd, string offeredAt, string? caller, string? outcome, string? topic, string? department = null)
    {
        var call = UniqueId("c");
        await Post("/api/calls", new JsonObject
        {
            ["callId"] = call, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = offeredAt, ["caller"] = caller,
        }, acd, 201);
        if (outcome is null)
        {
            await Post($"/api/calls/{call}/abandoned", new JsonObject { ["abandonedAt"] = DateTimeOffset.Parse(offeredAt, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(40).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) }, acd);
            return call;
        }

        var at = DateTimeOffset.Parse(offeredAt, System.Globalization.CultureInfo.InvariantCulture);
        await Post($"/api/calls/{call}/answered", new JsonObject { ["answeredAt"] = at.AddSeconds(20).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture), ["agentId"] = "a-1" }, acd);
        await Post($"/api/calls/{call}/completed", new JsonObject
        {
            ["completedAt"] = at.AddMinutes(4).ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture),
            ["outcome"] = outcome, ["topic"] = topic, ["department"] = department,
        }, acd);
        return call;
    }

    private async Task<long> TracesAsync(string text)
    {
        // Every table of the test's schema, each row as text: events, documents, the reports' tables, the indexes of ours.
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = @schema and table_type = 'BASE TABLE'", connection))
        {
            list.Parameters.AddWithValue("schema", Fixture.Schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        long found = 0;
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"select count(*) from {Fixture.Schema}.\"{table}\" t where strpos(t::text, @text) > 0", connection);
            count.Parameters.AddWithValue("text", text);
            found += (long)(await count.ExecuteScalarAsync())!;
        }

        return found;
    }

    [Fact]
    public async Task Erasing_a_caller_masks_its_calls_everywhere_and_changes_no_report_invoice_reconciliation_or_chain()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd");
        var topic = "Umzug nach " + UniqueId("strasse");
        var calls = new[]
        {
            await CallAsync(contract, acd, "2021-03-01T09:00:00+01:00", Number, "referred", topic, "ordnungsamt"),
            await CallAsync(contract, acd, "2021-03-02T09:00:00+01:00", Number, "resolved", topic),
            await CallAsync(contract, acd, "2021-03-03T09:00:00+01:00", Number, null, null),
        };
        var other = await CallAsync(contract, acd, "2021-03-04T09:00:00+01:00", "+49 234 910-0", "resolved", "Anderes Anliegen");
        var invoice = Id(await Invoice(contract, provider, 2021, 1));
        await Fixture.ProjectionsCaughtUpAsync();
        var finance = FinanceOf(provider);
        var report = await Get($"/api/reports/quarterly/{contract}/2021/1", finance);
        var document = await Get($"/api/invoices/{invoice}", finance);
        var reconciliation = await Reconciliation(contract, 2021, finance);
        Assert.True(CallerPseudonym.TryNormalize(Number, out var e164));
        var hash = Host.Services.GetRequiredService<CallerPseudonym>().Hash(e164);
        Assert.True(await TracesAsync(hash) > 0 && await TracesAsync(topic) > 0); // the search finds what is there

        var erased = await Post("/api/erasures", new JsonObject { ["caller"] = Number }, Tokens.For("contract-admin", provider, "dpo"));

        Assert.Equal((3, 5), ((int)erased["callsMasked"]!, (int)erased["eventsMasked"]!)); // three offers, two topics
        await Fixture.ProjectionsCaughtUpAsync();
        Assert.Equal(0, await TracesAsync(hash));
        Assert.Equal(0, await TracesAsync(topic));
        Assert.True(await TracesAsync(Host.Services.GetRequiredService<CallerPseudonym>().Hash("+492349100")) > 0); // another caller's stays
        JsonAssert.Equal(Without(report, "current"), Without(await Get($"/api/reports/quarterly/{contract}/2021/1", finance), "current"));
        JsonAssert.Equal(document, await Get($"/api/invoices/{invoice}", finance));
        JsonAssert.Equal(reconciliation, await Reconciliation(contract, 2021, finance));
        foreach (var call in calls.Append(other))
        {
            Assert.Empty((await Get($"/api/audit/verify?streamId=call:{call}", Auditor))["brokenLinks"]!.AsArray());
        }

        Assert.False((bool)(await Get($"/api/calls/{calls[0]}", Auditor))["callerKnown"]!);

        // Nothing is left to find: a repeat masks nothing.
        var again = await Post("/api/erasures", new JsonObject { ["caller"] = Number }, Tokens.For("contract-admin", provider, "dpo"));
        Assert.Equal((0, 0), ((int)again["callsMasked"]!, (int)again["eventsMasked"]!));
    }

    [Fact]
    public async Task After_an_erasure_a_repeat_is_still_a_repeat_and_a_call_completed_later_keeps_no_topic()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd");
        var number = $"+49 2305 {Random.Shared.Next(100_000, 999_999)}";
        var done = await CallAsync(contract, acd, "2021-03-01T09:00:00+01:00", number, "resolved", "Gewerbeanmeldung");
        var running = UniqueId("c");
        var offer = new JsonObject
        {
            ["callId"] = running, ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-02T09:00:00+01:00", ["caller"] = number,
        };
        await Post("/api/calls", offer, acd, 201);
        await Post($"/api/calls/{running}/answered", new JsonObject { ["answeredAt"] = "2021-03-02T09:00:20+01:00", ["agentId"] = "a-1" }, acd);

        await Post("/api/erasures", new JsonObject { ["caller"] = number }, Tokens.For("contract-admin", provider));

        // The telephony system's retries are answered as repeats, not as conflicts with the erased values.
        await Post("/api/calls", offer, acd, 200);
        await Post($"/api/calls/{done}/completed", new JsonObject
        {
            ["completedAt"] = "2021-03-01T09:04:00+01:00", ["outcome"] = "resolved", ["topic"] = "Gewerbeanmeldung",
        }, acd);
        // The call still running when its caller was erased is completed with a topic: it is masked as it is written.
        await Post($"/api/calls/{running}/completed", new JsonObject
        {
            ["completedAt"] = "2021-03-02T09:04:00+01:00", ["outcome"] = "resolved", ["topic"] = "Ummeldung " + running,
        }, acd);
        Assert.Equal(0, await TracesAsync("Ummeldung " + running));
        Assert.Equal(CallerErasure.Erased, (string?)(await Get($"/api/calls/{running}", Auditor))["topic"]);
        Assert.Empty((await Get($"/api/audit/verify?streamId=call:{running}", Auditor))["brokenLinks"]!.AsArray());
    }

    [Fact]
    public async Task Only_an_admin_of_the_provider_erases_its_calls()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd");
        var call = await CallAsync(contract, acd, "2021-03-01T09:00:00+01:00", "+49 2305 106-77", "resolved", "Hundesteuer");

        var byClient = await Post("/api/erasures", new JsonObject { ["caller"] = "+49 2305 106-77" }, Tokens.For("contract-admin", "castrop-rauxel"));

        Assert.Equal(0, (int)byClient["callsMasked"]!);
        Assert.True((bool)(await Get($"/api/calls/{call}", Auditor))["callerKnown"]!);
        await Refused("/api/erasures", new JsonObject { ["caller"] = "+49 2305 106-77" }, Tokens.For("auditor"), 403);
        await Refused("/api/erasures", new JsonObject { ["caller"] = "+49 2305 106-77" }, Tokens.For("service-centre", provider), 403);
        await Refused("/api/erasures", new JsonObject(), Tokens.ContractAdmin(), 400, "caller");
        await Refused("/api/erasures", new JsonObject { ["caller"] = "nobody" }, Tokens.ContractAdmin(), 400, "caller");
    }

    [Fact]
    public async Task Retention_masks_what_is_past_keeping_and_keeps_a_call_whose_referral_is_open_or_was_closed_lately()
    {
        var (contract, provider) = await GivenProviderContract();
        var acd = Tokens.For("service-centre", provider, "acd");
        var department = Tokens.For("department", "castrop-rauxel", "clerk");
        var old = await CallAsync(contract, acd, "2021-03-01T09:00:00+01:00", "+49 2305 106-11", "resolved", "Briefwahl");
        var open = await CallAsync(contract, acd, "2021-03-01T10:00:00+01:00", "+49 2305 106-12", "referred", "Sperrmüll", "ordnungsamt");
        var lately = await CallAsync(contract, acd, "2021-03-01T11:00:00+01:00", "+49 2305 106-13", "callback-promised", "Fundsache", "ordnungsamt");
        await Post($"/api/referrals/ref-{lately}/accepted", new JsonObject { ["acceptedAt"] = "2021-03-01T12:00:00+01:00" }, department);
        await Post($"/api/referrals/ref-{lately}/answered", new JsonObject { ["answeredAt"] = DateTimeOffset.UtcNow.AddDays(-10).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) }, department);

        var masked = await Host.Services.GetRequiredService<CallerErasure>().MaskExpiredAsync(TimeSpan.FromDays(90), null, CancellationToken.None);

        Assert.True(masked!.CallsMasked >= 1);
        Assert.False((bool)(await Get($"/api/calls/{old}", Auditor))["callerKnown"]!);
        Assert.True((bool)(await Get($"/api/calls/{open}", Auditor))["callerKnown"]!);
        Assert.True((bool)(await Get($"/api/calls/{lately}", Auditor))["callerKnown"]!);
        foreach (var call in new[] { old, open, lately })
        {
            Assert.Empty((await Get($"/api/audit/verify?streamId=call:{call}", Auditor))["brokenLinks"]!.AsArray());
        }
    }

    [Fact]
    public async Task A_retention_pass_while_another_runs_skips_and_masks_nothing()
    {
        var (contract, provider) = await GivenProviderContract();
        var old = await CallAsync(contract, Tokens.For("service-centre", provider, "acd"), "2021-03-01T09:00:00+01:00", "+49 2305 106-21", "resolved", "Meldebescheinigung");
        var erasure = Host.Services.GetRequiredService<CallerErasure>();

        // Another node's pass holds the lock.
        await using (var other = new Npgsql.NpgsqlConnection(Fixture.ConnectionString))
        {
            await other.OpenAsync();
            await using var hold = new Npgsql.NpgsqlCommand("select pg_advisory_lock(hashtextextended(@key, 0))", other);
            hold.Parameters.AddWithValue("key", erasure.RetentionLock);
            await hold.ExecuteScalarAsync();

            Assert.Null(await erasure.MaskExpiredAsync(TimeSpan.FromDays(90), null, CancellationToken.None));
            Assert.True((bool)(await Get($"/api/calls/{old}", Auditor))["callerKnown"]!);
            await using var release = new Npgsql.NpgsqlCommand("select pg_advisory_unlock(hashtextextended(@key, 0))", other);
            release.Parameters.AddWithValue("key", erasure.RetentionLock);
            await release.ExecuteScalarAsync();
        }

        // That pass ended: the next one masks, and releases the lock for the one after.
        Assert.NotNull(await erasure.MaskExpiredAsync(TimeSpan.FromDays(90), null, CancellationToken.None));
        Assert.False((bool)(await Get($"/api/calls/{old}", Auditor))["callerKnown"]!);
        Assert.NotNull(await erasure.MaskExpiredAsync(TimeSpan.FromDays(90), null, CancellationToken.None));
    }

    private static JsonNode Without(JsonNode node, string member)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove(member);
        return copy;
    }
}
