using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Billing;
using Cooperation.Api.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Cooperation.Api.Tests.Audit;

/// <summary>
/// Tamper evidence (domain §4, ADR 21): every event written through the service is linked to the one before it in its
/// stream, and the verifier finds each kind of change made to the stored events behind the service's back, for every
/// kind of stream.
/// </summary>
public sealed class ChainTests(AppFixture fixture) : AuditTest(fixture)
{
    private async Task<JsonObject> Verify(string streamId) =>
        (await Get($"/api/audit/verify?streamId={Uri.EscapeDataString(streamId)}", Auditor)).AsObject();

    private async Task Sql(string sql, string streamId)
    {
        // A connection of its own, as someone with access to the database would open it: not the service's.
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("{schema}", Fixture.Schema, StringComparison.Ordinal), connection);
        command.Parameters.AddWithValue("stream", streamId);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Tampers with a stream, checks, and puts the stream back as it was: the store is shared with the other tests,
    /// and a rebuild of the reports from a tampered store would stop at it.
    /// </summary>
    private async Task Tampered(string sql, string streamId, Func<Task> check)
    {
        var backup = "tamper_" + Guid.NewGuid().ToString("N")[..10];
        await Sql($$"""
            create table {schema}.{{backup}}_events as select * from {schema}.mt_events where stream_id = @stream;
            create table {schema}.{{backup}}_links as select * from {schema}.co_event_chain where stream_id = @stream;
            create table {schema}.{{backup}}_stream as select * from {schema}.mt_streams where id = @stream;
            """, streamId);
        try
        {
            await Sql(sql, streamId);
            await check();
        }
        finally
        {
            await Sql($$"""
                delete from {schema}.co_event_chain where stream_id = @stream;
                delete from {schema}.mt_events where stream_id = @stream;
                insert into {schema}.mt_events select * from {schema}.{{backup}}_events;
                insert into {schema}.co_event_chain select * from {schema}.{{backup}}_links;
                update {schema}.mt_streams s set version = b.version from {schema}.{{backup}}_stream b where s.id = b.id;
                drop table {schema}.{{backup}}_events, {schema}.{{backup}}_links, {schema}.{{backup}}_stream;
                """, streamId);
        }
    }

    [Fact]
    public async Task Every_kind_of_stream_written_through_the_service_verifies_intact()
    {
        var streams = await GivenOneStreamOfEachKind();

        foreach (var (kind, streamId) in streams)
        {
            var report = await Verify(streamId);
            Assert.True(report["brokenLinks"]!.AsArray().Count == 0, $"{kind}: {report.ToJsonString()}");
            Assert.True((int)report["eventsChecked"]! >= 2, $"{kind}: {report.ToJsonString()}");
            Assert.Equal(1, (int)report["streamsChecked"]!);
        }
    }

    public static TheoryData<string, string, string> Tampering => new()
    {
        // Data of an event changed.
        { "change", "update {schema}.mt_events set data = data || '{\"tampered\": true}' where stream_id = @stream and version = 1", "hash does not match" },
        // Its recorded time moved.
        { "backdate", "update {schema}.mt_events set timestamp = timestamp - interval '1 day' where stream_id = @stream and version = 2", "hash does not match" },
        // Who recorded it, changed.
        { "change who", "update {schema}.mt_events set user_name = 'mallory', correlation_id = 'forged' where stream_id = @stream and version = 1", "hash does not match" },
        // An event archived, which hides it from every read of the stream.
        { "archive", "update {schema}.mt_events set is_archived = true where stream_id = @stream and version = 2", "archived" },
        // The first event deleted, its link left.
        { "delete", "delete from {schema}.mt_events where stream_id = @stream and version = 1", "event is missing" },
        // The last event and its link deleted: only the stream's own version says it.
        {
            "delete the last",
            """
            delete from {schema}.co_event_chain where stream_id = @stream and version = (select max(version) from {schema}.mt_events where stream_id = @stream);
            delete from {schema}.mt_events where stream_id = @stream and version = (select max(version) from {schema}.mt_events where stream_id = @stream);
            """,
            "events end at version"
        },
        // An event inserted by hand at the end, with the stream's version moved on. (Of a type no projection reads:
        // the shared store's report projection would stop at a second signing or offer, and every later test with it.)
        {
            "insert",
            """
            insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type)
            select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), stream_id,
                   (select max(version) + 1 from {schema}.mt_events where stream_id = @stream), data, 'inserted_by_hand', now(), tenant_id, null
            from {schema}.mt_events where stream_id = @stream and version = 1;
            update {schema}.mt_streams set version = version + 1 where id = @stream;
            """,
            "no link"
        },
        // The first two events swapped.
        {
            "reorder",
            """
            update {schema}.mt_events set version = -1 where stream_id = @stream and version = 1;
            update {schema}.mt_events set version = 1 where stream_id = @stream and version = 2;
            update {schema}.mt_events set version = 2 where stream_id = @stream and version = -1;
            """,
            ""
        },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Tampering_with_the_stored_events_of_any_kind_of_stream_is_found(string tampering, string sql, string problem)
    {
        var streams = await GivenOneStreamOfEachKind();

        foreach (var (kind, streamId) in streams)
        {
            await Tampered(sql, streamId, async () =>
            {
                var report = await Verify(streamId);

                var broken = Assert.Single(report["brokenLinks"]!.AsArray());
                Assert.Equal(streamId, (string)broken!["streamId"]!);
                Assert.True(((string)broken["problem"]!).Contains(problem, StringComparison.Ordinal), $"{tampering} of the {kind}: {broken.ToJsonString()}");
            });

            Assert.Empty((await Verify(streamId))["brokenLinks"]!.AsArray()); // put back as it was
        }
    }

    [Fact]
    public async Task Personal_data_is_outside_the_chain_so_masking_it_leaves_the_chain_intact()
    {
        var streams = await GivenOneStreamOfEachKind();

        await Tampered("""
            update {schema}.mt_events set data = data || '{"callerHash": "***"}' where stream_id = @stream and version = 1;
            update {schema}.mt_events set data = data || '{"topic": "***"}' where stream_id = @stream and version = 3;
            """, streams["call"], async () => Assert.Empty((await Verify(streams["call"]))["brokenLinks"]!.AsArray()));
    }

    [Fact]
    public async Task Verifying_the_whole_store_is_for_an_auditor_of_no_one_municipality()
    {
        await RefusedGet("/api/audit/verify", Tokens.For("auditor", "castrop-rauxel"), 403);
        await RefusedGet("/api/audit/verify", Tokens.For("finance"), 403);
    }

    /// <summary>A contract signed in a host's own store; the store's schema.</summary>
    private static async Task<(string Contract, string Schema)> SignedInOwnStoreAsync(OwnHost own)
    {
        var contract = UniqueId("contract");
        await own.Host.Scenario(s =>
        {
            s.Post.Json(ContractRequests.Sign(contract)).ToUrl("/api/contracts");
            s.WithBearerToken(Tokens.ContractAdmin());
            s.StatusCodeShouldBe(201);
        });
        return (contract, own.Host.Services.GetRequiredService<Marten.IDocumentStore>().Options.Events.DatabaseSchemaName);
    }

    [Fact]
    public async Task The_placeholders_Marten_writes_for_lost_races_are_stored_and_outside_the_chains()
    {
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?>());
        var (contract, schema) = await SignedInOwnStoreAsync(own);
        await using var db = new NpgsqlConnection(Fixture.ConnectionString);
        await db.OpenAsync();
        async Task<long> TombstonesAsync()
        {
            await using var command = new NpgsqlCommand($"select count(*) from {schema}.mt_events where stream_id = 'mt_tombstone'", db);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        // Calls offered while their contract changes: a decision made on the contract as read before the change fails
        // at its save (and is made again), leaving its used-up sequence numbers for Marten to fill.
        var acd = Tokens.For("service-centre", "bochum", "acd");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; await TombstonesAsync() == 0; round++)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "No failed save within a minute");
            var closed = new DateOnly(2022, 1, 3).AddDays(round).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(n => own.Host.Scenario(s =>
            {
                if (n == 0)
                {
                    s.Post.Json(new JsonObject { ["date"] = closed }).ToUrl($"/api/contracts/{contract}/closure-days");
                    s.WithBearerToken(Tokens.ContractAdmin());
                }
                else
                {
                    s.Post.Json(new JsonObject
                    {
                        ["callId"] = UniqueId("c"), ["contractId"] = contract, ["serviceLine"] = "buergerbuero", ["offeredAt"] = "2021-03-01T09:00:00+01:00",
                    }).ToUrl("/api/calls");
                    s.WithBearerToken(acd);
                }

                s.IgnoreStatusCode();
            })));
            Assert.All(answers, a => Assert.InRange(a.Context.Response.StatusCode, 200, 299));
        }

        var verified = (await own.Host.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithBearerToken(Auditor);
        })).ReadAsJson<JsonNode>()!;
        Assert.Empty(verified["brokenLinks"]!.AsArray());
        await using (var links = new NpgsqlCommand($"select count(*) from {schema}.co_event_chain where stream_id = 'mt_tombstone'", db))
        {
            Assert.Equal(0L, (long)(await links.ExecuteScalarAsync())!);
        }

        // Only Marten's placeholders are passed over: any other row put into their stream by hand is reported.
        await using (var forged = new NpgsqlCommand($"""
            insert into {schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
            values (nextval('{schema}.mt_events_sequence'), gen_random_uuid(), 'mt_tombstone', 999999999,
                    @data::jsonb, 'call_offered', now(), '*DEFAULT*', 'forged', false)
            """, db))
        {
            forged.Parameters.AddWithValue("data", """{"callId": "forged"}""");
            await forged.ExecuteNonQueryAsync();
        }

        verified = (await own.Host.Scenario(s =>
        {
            s.Get.Url("/api/audit/verify");
            s.WithBearerToken(Auditor);
        })).ReadAsJson<JsonNode>()!;
        Assert.Contains("mt_tombstone", verified["brokenLinks"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verifying_and_exporting_wait_past_the_connections_command_timeout_for_a_slow_first_row()
    {
        // A store of a few million events sends its first row after more than the default 30 s (ADR 26); here a
        // command timeout of 1 s and a lock held for 3 s stand for that.
        var connectionString = new NpgsqlConnectionStringBuilder(Fixture.ConnectionString) { CommandTimeout = 1 }.ConnectionString;
        await using var own = await OwnHost.StartAsync(Fixture, new Dictionary<string, string?> { ["ConnectionStrings__Cooperation"] = connectionString });
        var (contract, schema) = await SignedInOwnStoreAsync(own);

        foreach (var (url, expected) in new[] { ("/api/audit/verify", "\"brokenLinks\":[]"), ("/api/audit/events?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00Z", contract) })
        {
            await using var blocker = new NpgsqlConnection(Fixture.ConnectionString);
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand($"lock table {schema}.mt_events in access exclusive mode", blocker, transaction))
            {
                await hold.ExecuteNonQueryAsync();
            }

            var release = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => transaction.CommitAsync()).Unwrap();
            var answer = await own.Host.Scenario(s =>
            {
                s.Get.Url(url);
                s.WithBearerToken(Auditor);
                s.StatusCodeShouldBe(200);
            });
            await release;
            Assert.Contains(expected, await answer.ReadAsTextAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_demo_store_verifies_intact_and_a_whole_stream_removed_shows_against_the_daily_digest()
    {
        var schema = "chain_" + Guid.NewGuid().ToString("N")[..10];
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Cooperation"] = Fixture.ConnectionString,
            ["Cooperation__Schema"] = schema,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        };
        try
        {
            await AppProcess.RunAsync(environment, null, "demo", "--seed-only");
            var today = Api.Infrastructure.Berlin.Today(TimeProvider.System).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var printed = await AppProcess.RunAsync(environment, null, "audit-digest", "--day", today);
            var digest = System.Text.RegularExpressions.Regex.Match(printed, "SHA-256 +([0-9a-f]{64})").Groups[1].Value;
            var upTo = System.Text.RegularExpressions.Regex.Match(printed, @"events up to sequence (\d+)").Groups[1].Value;
            Assert.Equal(64, digest.Length);
            Assert.Contains($"SHA-256               {digest}", await AppProcess.RunAsync(environment, null, "audit-digest", "--day", today)); // recorded once

            var intact = await AppProcess.RunAsync(environment, null, "audit-verify", "--kept", $"{upTo}:{digest}");

            Assert.Contains("1 daily digest(s)", intact);
            Assert.Contains("every chain is intact", intact);
            Assert.Contains("holds", intact);

            // A whole invoice stream removed, links and all: every remaining chain is intact, the digest is not.
            await using (var connection = new NpgsqlConnection(Fixture.ConnectionString))
            {
                await connection.OpenAsync();
                await using var remove = new NpgsqlCommand($"""
                    with gone as (select id from {schema}.mt_streams where id like 'invoice:%' order by id limit 1)
                    , links as (delete from {schema}.co_event_chain where stream_id in (select id from gone))
                    , events as (delete from {schema}.mt_events where stream_id in (select id from gone))
                    delete from {schema}.mt_streams where id in (select id from gone)
                    """, connection);
                await remove.ExecuteNonQueryAsync();
            }

            var (exitCode, output) = await AppProcess.RunForExitCodeAsync(environment, null, "audit-verify", "--kept", $"{upTo}:{digest}");

            Assert.NotEqual(0, exitCode);
            Assert.Contains($"digest:{today}", output);
            Assert.Contains("no longer give the digest recorded", output);
            Assert.Contains("does NOT hold", output);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
