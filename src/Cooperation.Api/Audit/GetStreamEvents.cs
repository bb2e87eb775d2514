using System.Globalization;
using System.Text.Json;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Cooperation.Api.Audit;

/// <summary>
/// An event as an auditor reads it, as <see cref="EventHistory.Write"/> writes it: the items of a stream's page and
/// the lines of the export. Declares the answer in the document; the writers stream it without this type.
/// </summary>
/// <param name="Data">The event as stored, a JSON object of its type's members.</param>
/// <param name="BusinessTime">When it happened, as its data says; null for an event without such a member.</param>
/// <param name="Hash">Its link in the stream's chain (SHA-256, hex); null for an event without one.</param>
public sealed record AuditedEvent(
    long Sequence, string StreamId, long Version, string Type, JsonElement Data, DateTimeOffset RecordedAt, DateTimeOffset? BusinessTime,
    string? User, string? CorrelationId, string? Hash);

/// <summary>A page of a stream's events; <c>nextFromVersion</c> is the next page's <c>fromVersion</c>, null after the last.</summary>
public sealed record StreamEvents(string StreamId, IReadOnlyList<AuditedEvent> Events, long? NextFromVersion);

public static class GetStreamEventsEndpoint
{
    public const int DefaultLimit = 1000;

    public const int MaxLimit = 10_000;

    /// <summary>
    /// Every event of a stream in order, a page at a time (<c>nextFromVersion</c> names the next page). An auditor of
    /// a municipality reads the streams of its contracts; another stream is unknown to it, as it is to every reader.
    /// </summary>
    /// <param name="fromVersion">The first version to show (default 1).</param>
    /// <param name="limit">At most this many events (default 1,000, at most 10,000).</param>
    [WolverineGet("/api/streams/{streamId}/events")]
    [Authorize(Roles = Roles.Auditor)]
    [ProducesResponseType<StreamEvents>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(
        string streamId, string? fromVersion, string? limit, HttpContext http, EventHistory history, IQuerySession session, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var from = Whole(fromVersion, "fromVersion", 1, long.MaxValue, 1, errors);
        var count = (int)Whole(limit, "limit", 1, MaxLimit, DefaultLimit, errors);
        if (errors.Count > 0)
        {
            return Results.Problem(Problems.Invalid(errors));
        }

        var (exists, contractId) = await history.ContractOfAsync(streamId, ct);
        var unknown = Problems.NotFound($"There is no stream '{streamId}'.");
        if (!exists)
        {
            return Results.Problem(unknown);
        }

        if (Caller.From(http.User).Municipality is not null)
        {
            var contract = contractId is null ? null : await session.LoadAsync<Contract>(StreamKeys.Contract(contractId), ct);
            if (contract is null || !contract.IsReachableBy(Caller.From(http.User)))
            {
                return Results.Problem(unknown);
            }
        }

        return Results.Stream(async body =>
        {
            await using var json = new Utf8JsonWriter(body);
            json.WriteStartObject();
            json.WriteString("streamId", streamId);
            json.WriteStartArray("events");
            var next = await history.WriteStreamAsync(json, streamId, from, count, ct);
            json.WriteEndArray();
            if (next is { } version)
            {
                json.WriteNumber("nextFromVersion", version);
            }
            else
            {
                json.WriteNull("nextFromVersion");
            }

            json.WriteEndObject();
        }, "application/json");
    }

    /// <summary>A whole number query parameter within bounds, its default when absent; a rule in <paramref name="errors"/> otherwise.</summary>
    internal static long Whole(string? text, string name, long min, long max, long fallback, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors[name] = [string.Create(CultureInfo.InvariantCulture, $"'{name}' must be a whole number from {min} to {max}.")];
        return fallback;
    }
}
