using System.Diagnostics;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using JasperFx;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace Cooperation.Api.Calls;

/// <summary>
/// Erasure and retention of call-level personal data (domain §5, ADR 22): the caller's pseudonym on the offer and the
/// free-text topic on the completion are masked in the stored events with Marten's masking rules. Calls that hold
/// such data are found through <c>co_call_personal</c>, an index a trigger keeps as the events are written (caller
/// pseudonym, contract, when offered), not by scanning the events. Nothing else holds them: the reports' rows,
/// referrals and documents never took them, and the audit chain leaves them out, so every figure, document and
/// chain is the same afterwards.
/// </summary>
public sealed class CallerErasure(NpgsqlDataSource dataSource, IDocumentStore store, TimeProvider clock)
{
    public const string Table = "co_call_personal";

    /// <summary>
    /// What a masked member holds: not personal, and not null, so that a repeat of the original request is still told
    /// from a request with other values (a masked value matches any), and a view can say the data was erased.
    /// </summary>
    public const string Erased = "(erased)";

    /// <summary>The masked events of one pass: streams and events changed.</summary>
    public sealed record Masked(int CallsMasked, long EventsMasked);

    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    /// <summary>The index and the trigger that fills it: only offers with a caller and completions with a topic reach it.</summary>
    public static string SchemaSql(string schema) => $$"""
        create table if not exists {{schema}}.{{Table}} (
          call_id varchar primary key,
          caller_hash varchar,
          contract_id varchar not null,
          offered_at timestamptz not null);
        create index if not exists {{Table}}_caller on {{schema}}.{{Table}} (caller_hash) where caller_hash is not null;
        create index if not exists {{Table}}_offered on {{schema}}.{{Table}} (offered_at);
        create or replace function {{schema}}.co_index_personal() returns trigger language plpgsql as $f$
        begin
          if new.type = 'call_offered' then
            if coalesce(new.data ->> 'callerHash', '{{Erased}}') <> '{{Erased}}' then
              insert into {{schema}}.{{Table}} (call_id, caller_hash, contract_id, offered_at)
              values (substr(new.stream_id, {{StreamKeys.CallPrefix.Length + 1}}), new.data ->> 'callerHash', new.data ->> 'contractId', (new.data ->> 'offeredAt')::timestamptz)
              on conflict (call_id) do update set caller_hash = excluded.caller_hash;
            end if;
          elsif coalesce(new.data ->> 'topic', '{{Erased}}') <> '{{Erased}}' then
            insert into {{schema}}.{{Table}} (call_id, caller_hash, contract_id, offered_at)
            select substr(o.stream_id, {{StreamKeys.CallPrefix.Length + 1}}), null, o.data ->> 'contractId', (o.data ->> 'offeredAt')::timestamptz
            from {{schema}}.mt_events o where o.stream_id = new.stream_id and o.version = 1
            on conflict (call_id) do nothing;
          end if;
          return null;
        end
        $f$;
        {{AuditChain.TriggerIfMissing(schema, "co_index_personal", $"after insert on {schema}.mt_events for each row when (new.type in ('call_offered', 'call_completed')) execute function {schema}.co_index_personal()")}}
        -- A call whose caller was erased while it ran: its topic is masked as it is written, or nothing would find it.
        create or replace function {{schema}}.co_mask_after_erasure() returns trigger language plpgsql as $f$
        begin
          if new.data ->> 'topic' is not null and exists (
              select 1 from {{schema}}.mt_events o
              where o.stream_id = new.stream_id and o.version = 1 and o.data ->> 'callerHash' = '{{Erased}}') then
            new.data := jsonb_set(new.data, '{topic}', to_jsonb('{{Erased}}'::text));
          end if;
          return new;
        end
        $f$;
        {{AuditChain.TriggerIfMissing(schema, "co_mask_after_erasure", $"before insert on {schema}.mt_events for each row when (new.type = 'call_completed') execute function {schema}.co_mask_after_erasure()")}}
        """;

    /// <summary>
    /// Makes the index and its trigger; when the index is new, fills it once from the calls stored before it (a store
    /// from before the erasure existed), so that no call with personal data is out of its reach.
    /// </summary>
    public static async Task EnsureAsync(NpgsqlConnection connection, string schema, CancellationToken ct)
    {
        await using var exists = new NpgsqlCommand($"select to_regclass('{schema}.{Table}') is not null", connection);
        var existed = (bool)(await exists.ExecuteScalarAsync(ct))!;
        await using var create = new NpgsqlCommand(SchemaSql(schema), connection);
        await create.ExecuteNonQueryAsync(ct);
        if (!existed)
        {
            await using var fill = new NpgsqlCommand($"""
                insert into {schema}.{Table} (call_id, caller_hash, contract_id, offered_at)
                select substr(o.stream_id, {StreamKeys.CallPrefix.Length + 1}), nullif(o.data ->> 'callerHash', '{Erased}'), o.data ->> 'contractId', (o.data ->> 'offeredAt')::timestamptz
                from {schema}.mt_events o
                where o.type = 'call_offered' and ({Personal("o.data")} or exists (
                  select 1 from {schema}.mt_events c where c.stream_id = o.stream_id and c.type = 'call_completed' and ({Personal("c.data")})))
                on conflict (call_id) do nothing
                """, connection);
            await fill.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Marten's masking rules: what of each event is personal. Exact types (records), as Marten matches them.</summary>
    public static void AddMaskingRules(StoreOptions options)
    {
        options.Events.AddMaskingRuleForProtectedInformation<CallOffered>(e => e.CallerHash is null ? e : e with { CallerHash = Erased });
        options.Events.AddMaskingRuleForProtectedInformation<CallCompleted>(e => e.Topic is null ? e : e with { Topic = Erased });
    }

    /// <summary>Every call of a caller (a pseudonym), of the contracts a municipality provides (all when null).</summary>
    public async Task<Masked> EraseCallerAsync(string callerHash, string? provider, CancellationToken ct)
    {
        var providers = provider is null ? null : await ContractsProvidedByAsync(provider, ct);
        var calls = await CallsAsync($"caller_hash = @caller{(providers is null ? string.Empty : " and contract_id = any(@contracts)")}",
            command =>
            {
                command.Parameters.AddWithValue("caller", callerHash);
                if (providers is not null)
                {
                    command.Parameters.AddWithValue("contracts", providers.ToArray());
                }
            }, ct);
        return await MaskAsync(calls, null, ct);
    }

    /// <summary>The advisory lock's key (hashed) that lets one retention pass run at a time across the nodes.</summary>
    public string RetentionLock => $"{_schema}.retention";

    /// <summary>
    /// Calls whose personal data is past keeping: <paramref name="keep"/> after their referral was closed (answered
    /// or returned), or after the call when it opened none. A referral still open keeps its call's data.
    /// Null when another pass (another node's, or the command's) is running: each node starts its own daily pass,
    /// and a second at once would only repeat the first's work.
    /// </summary>
    public async Task<Masked?> MaskExpiredAsync(TimeSpan keep, Action<string>? progress, CancellationToken ct)
    {
        // A transaction lock, in a transaction kept open for the pass on a connection of its own: however the pass
        // ends (done, failed, cancelled, the connection lost), the transaction ends and the lock with it. A session lock
        // could stay behind on a pooled connection, which is not reset (Database.Tuned), and stop every later pass.
        await using var lockConnection = await dataSource.OpenConnectionAsync(ct);
        // Read committed: idle between its statements it holds no snapshot, so the pass's hours hold back no vacuum; and
        // an operator's idle-in-transaction timeout must not end it (and the lock) while the pass runs.
        await using var held = await lockConnection.BeginTransactionAsync(System.Data.IsolationLevel.ReadCommitted, ct);
        await using (var noTimeout = new NpgsqlCommand("set local idle_in_transaction_session_timeout = 0", lockConnection, held))
        {
            await noTimeout.ExecuteNonQueryAsync(ct);
        }

        await using (var take = new NpgsqlCommand("select pg_try_advisory_xact_lock(hashtextextended(@key, 0))", lockConnection, held))
        {
            take.Parameters.AddWithValue("key", RetentionLock);
            if (!(bool)(await take.ExecuteScalarAsync(ct))!)
            {
                return null;
            }
        }

        return await MaskExpiredLockedAsync(keep, progress, ct);
    }

    private async Task<Masked> MaskExpiredLockedAsync(TimeSpan keep, Action<string>? progress, CancellationToken ct)
    {
        var referrals = store.Options.FindOrResolveDocumentType(typeof(Referrals.Referral)).TableName.QualifiedName;
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(Referrals.Referral), ct);
        var calls = await CallsAsync($"""
            offered_at < @cutoff and not exists (
              select 1 from {referrals} r where r.data ->> 'callId' = p.call_id
              and coalesce((r.data ->> 'answeredAt')::timestamptz, (r.data ->> 'returnedAt')::timestamptz, 'infinity') >= @cutoff)
            """, command => command.Parameters.AddWithValue("cutoff", (clock.GetUtcNow() - keep).ToUniversalTime()), ct);
        progress?.Invoke($"{calls.Count:N0} calls hold personal data kept longer than {keep.TotalDays:N0} days");
        return await MaskAsync(calls, progress, ct);
    }

    private async Task<IReadOnlyList<string>> ContractsProvidedByAsync(string provider, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<Contract>().Where(c => c.Provider.Id == provider).Select(c => c.ContractId).ToListAsync(ct);
    }

    private async Task<List<string>> CallsAsync(string where, Action<NpgsqlCommand> parameters, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"select call_id from {_schema}.{Table} p where {where}", connection);
        parameters(command);
        var calls = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            calls.Add(reader.GetString(0));
        }

        return calls;
    }

    /// <summary>Masks the calls' events in chunks, then forgets them in the index: nothing of them is left to find.</summary>
    private async Task<Masked> MaskAsync(IReadOnlyList<string> calls, Action<string>? progress, CancellationToken ct)
    {
        long events = 0;
        var done = 0;
        var watch = Stopwatch.StartNew();
        foreach (var chunk in calls.Chunk(500))
        {
            done += chunk.Length;
            var keys = chunk.Select(StreamKeys.Call).ToArray();
            events += await CountPersonalEventsAsync(keys, ct);
            await store.Advanced.ApplyEventDataMasking(masking =>
            {
                foreach (var key in keys)
                {
                    masking.IncludeStream(key);
                }
            }, ct);
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            // Only calls with nothing personal left: a completion written meanwhile keeps its call's row for the next pass.
            await using var forget = new NpgsqlCommand($"""
                delete from {_schema}.{Table} p where p.call_id = any(@calls) and not exists (
                  select 1 from {_schema}.mt_events e where e.stream_id = '{StreamKeys.CallPrefix}' || p.call_id and ({Personal("e.data")}))
                """, connection);
            forget.Parameters.AddWithValue("calls", chunk);
            await forget.ExecuteNonQueryAsync(ct);
            progress?.Invoke($"  {done:N0} of {calls.Count:N0} calls masked ({events:N0} events), {watch.Elapsed.TotalSeconds:F1} s");
        }

        return new Masked(calls.Count, events);
    }

    /// <summary>An event's data that still holds a personal member (SQL).</summary>
    private static string Personal(string data) =>
        $"coalesce({data} ->> 'callerHash', '{Erased}') <> '{Erased}' or coalesce({data} ->> 'topic', '{Erased}') <> '{Erased}'";

    private async Task<long> CountPersonalEventsAsync(string[] keys, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand($"""
            select count(*) from {_schema}.mt_events
            where stream_id = any(@keys) and ({Personal("data")})
            """, connection);
        command.Parameters.AddWithValue("keys", keys);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>Erase a caller: the telephone number as the caller gave it; only ever turned into its pseudonym here.</summary>
public sealed record EraseCaller(string? Caller)
{
    public sealed class Validator : AbstractValidator<EraseCaller>
    {
        public Validator() => RuleFor(x => x.Caller).NotEmpty().MaximumLength(50)
            .Must(c => CallerPseudonym.TryNormalize(c, out _))
            .WithMessage("'caller' must be a telephone number (as the telephony system reports it, e.g. +49 2305 106-0).");
    }
}

/// <summary>An erasure as the audit trail keeps it: how much was masked, by whom (the session's user), never whose.</summary>
public sealed record CallerDataErased(int CallsMasked, long EventsMasked, string? Provider, DateTimeOffset ErasedAt);

public static class EraseCallerEndpoint
{
    /// <summary>
    /// Masks every personal datum of the caller's calls (pseudonym, topic) of the contracts the caller's municipality
    /// provides (every contract for an admin of no one municipality). A repeat finds nothing left: 200 with zeros.
    /// </summary>
    [WolverinePost("/api/erasures")]
    [Authorize(Roles = Roles.ContractAdmin)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<CallerErasure.Masked>(StatusCodes.Status200OK, "application/json")]
    public static async Task<IResult> Post(
        EraseCaller command, HttpContext http, CallerErasure erasure, CallerPseudonym pseudonym, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        CallerPseudonym.TryNormalize(command.Caller, out var e164);
        var caller = Caller.From(http.User);
        var masked = await erasure.EraseCallerAsync(pseudonym.Hash(e164), caller.Municipality, ct);

        await using var session = store.LightweightSession();
        session.LastModifiedBy = caller.Subject;
        session.CorrelationId = CorrelationId.Of(http);
        session.Events.StartStream("erasure:" + Guid.NewGuid().ToString("N"),
            new CallerDataErased(masked.CallsMasked, masked.EventsMasked, caller.Municipality, clock.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return Results.Json(masked, ApiJson.Options);
    }
}

public sealed class MaskExpiredInput : NetCoreInput
{
    [Description("Days personal data is kept after the call, or after its referral was closed (default: Cooperation:RetentionDays, 90)")]
    public int DaysFlag { get; set; }
}

[Description("Mask call-level personal data older than the retention period (also done daily by the service)", Name = "mask-expired")]
public sealed class MaskExpiredCommand : JasperFxAsyncCommand<MaskExpiredInput>
{
    public override async Task<bool> Execute(MaskExpiredInput input)
    {
        using var host = input.BuildHost();
        // The index is the service's, made when it starts: a command may run on a database it has not started on yet.
        await AuditChain.EnsureAsync(host.Services);
        var days = input.DaysFlag > 0 ? input.DaysFlag : host.Services.GetRequiredService<IConfiguration>().GetValue("Cooperation:RetentionDays", 90);
        var masked = await host.Services.GetRequiredService<CallerErasure>().MaskExpiredAsync(TimeSpan.FromDays(days), Console.WriteLine, CancellationToken.None);
        if (masked is null)
        {
            Console.WriteLine("Another retention pass is running (a node's daily pass or this command elsewhere): nothing done here; run it again when that one has ended.");
            return false;
        }

        Console.WriteLine($"Masked {masked.EventsMasked:N0} events of {masked.CallsMasked:N0} calls.");
        return true;
    }
}

/// <summary>Masks what is past keeping once a day; of nodes passing at once, one masks and the others skip.</summary>
public sealed class DailyRetention(CallerErasure erasure, IConfiguration configuration, ILogger<DailyRetention> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(24));
        do
        {
            try
            {
                var masked = await erasure.MaskExpiredAsync(TimeSpan.FromDays(configuration.GetValue("Cooperation:RetentionDays", 90)), null, stoppingToken);
                if (masked is null)
                {
                    log.LogInformation("Retention: another node's pass is running; this node's skipped");
                }
                else
                {
                    log.LogInformation("Retention: masked {Events} events of {Calls} calls", masked.EventsMasked, masked.CallsMasked);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "Retention could not mask expired personal data; trying again tomorrow");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
