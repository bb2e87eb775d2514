using System.Diagnostics;
using System.Text.Json;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using JasperFx;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace Cooperation.Api.Audit;

/// <summary>
/// Every event recorded in a window, in the order it was recorded, one JSON object a line, as
/// <see cref="EventHistory"/> shows them. Rows are read as PostgreSQL sends them and written on at once, so a window
/// of any size takes no more memory than a line.
/// </summary>
public sealed class AuditExport(NpgsqlDataSource dataSource, EventHistory history, IDocumentStore store)
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly string _schema = store.Options.Events.DatabaseSchemaName;

    /// <param name="contractIds">Only the streams of these contracts; every stream when null.</param>
    public async Task<long> WriteAsync(
        Stream output, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? contractIds, Action<long, long>? progress, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var total = progress is null ? 0 : await CountAsync(connection, transaction, from, to, contractIds, ct);
        await using var command = new NpgsqlCommand(
            $"select {EventHistory.Columns} from {history.From} where {Window(contractIds)} order by e.seq_id", connection, transaction)
        {
            CommandTimeout = AuditChain.FullPassTimeout,
        };
        Parameters(command, from, to, contractIds);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await using var json = new Utf8JsonWriter(output);
        long written = 0;
        var reported = Stopwatch.GetTimestamp();
        while (await reader.ReadAsync(ct))
        {
            history.Write(json, reader);
            await json.FlushAsync(ct);
            json.Reset();
            await output.WriteAsync(NewLine, ct);
            written++;
            if (progress is not null && Stopwatch.GetElapsedTime(reported) > TimeSpan.FromSeconds(2))
            {
                progress(written, total);
                reported = Stopwatch.GetTimestamp();
            }
        }

        progress?.Invoke(written, total);
        return written;
    }

    private async Task<long> CountAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? contractIds, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select count(*) from {_schema}.mt_events e where {Window(contractIds)}", connection, transaction)
        {
            CommandTimeout = AuditChain.FullPassTimeout,
        };
        Parameters(command, from, to, contractIds);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Recorded from <c>from</c> up to, not including, <c>to</c>; a stream's contract is named by its first event.</summary>
    private string Window(IReadOnlyList<string>? contractIds) =>
        "e.timestamp >= @from and e.timestamp < @to" + (contractIds is null ? string.Empty : $"""
             and (e.stream_id = any(@contractStreams) or exists (
               select 1 from {_schema}.mt_events f where f.stream_id = e.stream_id and f.version = 1 and f.data ->> 'contractId' = any(@contracts)))
            """);

    private static void Parameters(NpgsqlCommand command, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<string>? contractIds)
    {
        command.Parameters.AddWithValue("from", from.ToUniversalTime());
        command.Parameters.AddWithValue("to", to.ToUniversalTime());
        if (contractIds is not null)
        {
            command.Parameters.AddWithValue("contracts", contractIds.ToArray());
            command.Parameters.AddWithValue("contractStreams", contractIds.Select(StreamKeys.Contract).ToArray());
        }
    }
}

public static class GetAuditEventsEndpoint
{
    /// <summary>
    /// Every event recorded from <c>from</c> up to, not including, <c>to</c> (instants with offset), as NDJSON in the
    /// order recorded. An auditor of a municipality gets the events of its contracts' streams.
    /// </summary>
    [WolverineGet("/api/audit/events")]
    [Authorize(Roles = Roles.Auditor)]
    [Microsoft.AspNetCore.RateLimiting.EnableRateLimiting(RateLimits.OneAtATime)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<AuditedEvent>(StatusCodes.Status200OK, "application/x-ndjson")] // the schema of each line
    public static async Task<IResult> Get(string? from, string? to, HttpContext http, AuditExport export, IQuerySession session, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var start = Required(from, "from", errors);
        var end = Required(to, "to", errors);
        if (start is not null && end is not null && end <= start)
        {
            errors["to"] = ["'to' must be after 'from'."];
        }

        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        IReadOnlyList<string>? contracts = null;
        if (Caller.From(http.User).Municipality is { } municipality)
        {
            contracts = await session.Query<Contract>()
                .Where(c => c.Provider.Id == municipality || c.Client.Id == municipality)
                .Select(c => c.ContractId)
                .ToListAsync(ct);
        }

        return Results.Stream(body => export.WriteAsync(body, start!.Value, end!.Value, contracts, null, ct), "application/x-ndjson");
    }

    private static DateTimeOffset? Required(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            errors[name] = [$"'{name}' is required: an instant {Instants.InstantRule}."];
            return null;
        }

        if (Instants.TryParse(text, out var instant))
        {
            return instant;
        }

        errors[name] = [$"'{name}' {Instants.InstantRule} (in a URL, write '+' as %2B)."];
        return null;
    }
}

public sealed class AuditExportInput : NetCoreInput
{
    [Description("First instant of the window, RFC 3339 with offset (recorded at or after it)")]
    public string FromFlag { get; set; } = string.Empty;

    [Description("End of the window, RFC 3339 with offset (recorded before it)")]
    public string ToFlag { get; set; } = string.Empty;

    [Description("The file to write (NDJSON)")]
    public string OutFlag { get; set; } = "audit-events.ndjson";
}

[Description("Write every event recorded in a window to an NDJSON file, with progress", Name = "audit-export")]
public sealed class AuditExportCommand : JasperFxAsyncCommand<AuditExportInput>
{
    public override async Task<bool> Execute(AuditExportInput input)
    {
        if (!Instants.TryParse(input.FromFlag, out var from) || !Instants.TryParse(input.ToFlag, out var to) || to <= from)
        {
            Console.Error.WriteLine($"--from and --to: instants {Instants.InstantRule}, --to after --from.");
            return false;
        }

        using var host = input.BuildHost();
        var clock = Stopwatch.StartNew();
        await using var file = File.Create(input.OutFlag);
        var written = await host.Services.GetRequiredService<AuditExport>().WriteAsync(file, from, to, null,
            (done, total) => Console.WriteLine($"  {done:N0} of {total:N0} events ({(total == 0 ? 100 : 100.0 * done / total):F0} %)"),
            CancellationToken.None);
        Console.WriteLine($"Wrote {written:N0} events recorded from {from:O} to {to:O} to {input.OutFlag} in {clock.Elapsed.TotalSeconds:F1} s.");
        return true;
    }
}
