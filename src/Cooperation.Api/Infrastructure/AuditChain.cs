using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// The tamper evidence of the event store (domain §4, ADR 21): each event's SHA-256 hash, chained to the previous
/// event of its stream, kept in <c>co_event_chain</c>. A row trigger on <c>mt_events</c> writes the links in
/// the transaction that appends the events, for every path that appends (the write step, the bulk import's COPY,
/// billing, the demo), but only on the service's own connections (<see cref="ConnectionOption"/>): an event
/// inserted by hand gets no link, and the verifier reports it.
/// </summary>
public static class AuditChain
{
    public const string Table = "co_event_chain";

    /// <summary>The session setting the service's connections carry; the trigger links only their events.</summary>
    public const string Setting = "cooperation.chain";

    public const string ConnectionOption = "-c " + Setting + "=on";

    /// <summary>
    /// Where Marten puts a placeholder event for each sequence number a failed append used up (a lost race), so that
    /// the projections need not wait for the gap (ADR 27). Not a record of anything: outside the chain. (Their
    /// timestamp is -infinity: linking one failed, and with it the placeholder.)
    /// </summary>
    public const string TombstoneStream = "mt_tombstone";

    /// <summary>An <c>mt_events</c> row aliased <paramref name="e"/> is such a placeholder, exactly as Marten writes it (SQL).</summary>
    public static string PlaceholderSql(string e) =>
        $"({e}.stream_id = '{TombstoneStream}' and {e}.type = 'tombstone' and {e}.timestamp = '-infinity' and {e}.data = '{{}}'::jsonb)";

    /// <summary>Members holding personal data that may be erased: outside what the chain covers (domain §4).</summary>
    public static readonly IReadOnlyList<string> PersonalMembers = ["callerHash", "topic"];

    /// <summary>
    /// What a link covers, as SQL over an <c>mt_events</c> row aliased <paramref name="e"/>, each on a line of its own:
    /// the stream, the event type, its version, when it was recorded (microseconds since 1970, UTC), who recorded it
    /// and in which request (empty when none), and its data without the personal members, in PostgreSQL's canonical
    /// rendering of <c>jsonb</c> (keys ordered, one spacing).
    /// </summary>
    public static string CanonicalSql(string e) =>
        $"""{e}.stream_id || E'\n' || {e}.type || E'\n' || {e}.version::text || E'\n' || {MicrosSql(e)}::text || E'\n' || coalesce({e}.user_name, '') || E'\n' || coalesce({e}.correlation_id, '') || E'\n' || {DataSql(e)}""";

    /// <summary>An event's data without the personal members, as PostgreSQL renders <c>jsonb</c>.</summary>
    public static string DataSql(string e) => $"({e}.data - '{{" + string.Join(',', PersonalMembers) + "}'::text[])::text";

    public static string MicrosSql(string e) => $"floor(extract(epoch from {e}.timestamp) * 1000000)::bigint";

    /// <summary>A link: SHA-256 over the previous link of the stream (nothing for its first event) and the canonical text.</summary>
    public static byte[] Link(ReadOnlySpan<byte> previous, string canonical)
    {
        var text = Encoding.UTF8.GetBytes(canonical);
        var input = new byte[previous.Length + text.Length];
        previous.CopyTo(input);
        text.CopyTo(input.AsSpan(previous.Length));
        return SHA256.HashData(input);
    }

    /// <summary>The canonical text from its parts, as <see cref="CanonicalSql"/> writes it.</summary>
    public static string Canonical(string streamId, string type, long version, long recordedMicros, string? user, string? correlationId, string data) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{streamId}\n{type}\n{version}\n{recordedMicros}\n{user}\n{correlationId}\n{data}");

    /// <summary>The table, and the trigger that links each event inserted; idempotent.</summary>
    public static string SchemaSql(string schema)
    {
        var table = $"{schema}.{Table}";
        var function = $"{schema}.co_chain_events";
        // A row trigger: its two statements are planned once per connection and find the previous link by the unique
        // index. After-row triggers run in the order the rows were inserted, so a COPY of a new stream's versions
        // 1, 2, 3 links each to the one linked just before. (A statement trigger over the transition table was tried
        // first: measured, it made live writes three times slower, the join to the transition table being planned for
        // every statement, it seems.)
        return $$"""
            create table if not exists {{table}} (
              seq_id bigint primary key,
              stream_id varchar not null,
              version bigint not null,
              hash bytea not null,
              unique (stream_id, version));
            create or replace function {{function}}() returns trigger language plpgsql as $f$
            declare
              previous bytea;
            begin
              if current_setting('{{Setting}}', true) is distinct from 'on' or (new.stream_id = '{{TombstoneStream}}' and new.type = 'tombstone') then
                return null;
              end if;
              select hash into previous from {{table}} where stream_id = new.stream_id and version = new.version - 1;
              insert into {{table}} (seq_id, stream_id, version, hash)
              values (new.seq_id, new.stream_id, new.version,
                      sha256(coalesce(previous, ''::bytea) || convert_to({{CanonicalSql("new")}}, 'UTF8')));
              return null;
            end
            $f$;
            {{AuditChain.TriggerIfMissing(schema, "co_chain_events", $"after insert on {schema}.mt_events for each row execute function {function}()")}}
            """;
    }

    /// <summary>
    /// A trigger on the events table, made only when missing. <c>create or replace trigger</c> locks the table against
    /// writes even when nothing changes: a node starting while others write could deadlock with them (issue 15). The
    /// trigger's function is replaced on every start, which takes no lock on the table; a changed firing rule needs a
    /// trigger of a new name.
    /// </summary>
    public static string TriggerIfMissing(string schema, string name, string definition) => $$"""
        do $t$ begin
          if not exists (select 1 from pg_trigger where tgname = '{{name}}' and tgrelid = '{{schema}}.mt_events'::regclass) then
            create trigger {{name}} {{definition}};
          end if;
        end $t$;
        """;

    /// <summary>
    /// Creates the chain's table and trigger, before any event is written (an event written without the trigger has
    /// no link): when the service starts, and before the demo seeds. Like the report tables they are the service's
    /// own, made by it also in Production, once <c>resources setup</c> has made Marten's tables; elsewhere Marten's
    /// event tables are made first, as Marten makes them only on first use.
    /// </summary>
    public static async Task EnsureAsync(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (store.Options is StoreOptions { AutoCreateSchemaObjects: not JasperFx.AutoCreate.None })
        {
            await store.Storage.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), ct);
        }

        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Nodes starting at once on a new schema would race on "create … if not exists" (a unique violation): one at a time.
        await using var command = new NpgsqlCommand(
            $"select pg_advisory_xact_lock(hashtextextended('{schema}.audit-setup', 0));\n{SchemaSql(schema)}", connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
        // The index of calls holding personal data is kept by a trigger of the same kind (ADR 22).
        await Calls.CallerErasure.EnsureAsync(connection, schema, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The command timeout of a pass over the whole store (verify, digest, export): none. Their first row may take longer
    /// than the connection's default of 30 s on a store of a few million events (ADR 26); the caller's cancellation
    /// (the request aborted, the host stopping) ends them instead.
    /// </summary>
    public const int FullPassTimeout = 0;

    /// <summary>The same, for a command of the app: its host is built, not started, so no hosted service has run.</summary>
    public static Task EnsureAsync(IServiceProvider services) =>
        EnsureAsync(services.GetRequiredService<IDocumentStore>(), services.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);

    /// <summary>The service's connection strings carry the setting the trigger looks for (unless already given).</summary>
    public static void MarkConnection(NpgsqlConnectionStringBuilder builder)
    {
        if (builder.Options?.Contains(Setting, StringComparison.Ordinal) != true)
        {
            builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? ConnectionOption : $"{builder.Options} {ConnectionOption}";
        }
    }
}

/// <summary>Makes the chain's objects when the service starts, before it takes a request.</summary>
public sealed class AuditChainSetup(IDocumentStore store, NpgsqlDataSource dataSource) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => AuditChain.EnsureAsync(store, dataSource, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
