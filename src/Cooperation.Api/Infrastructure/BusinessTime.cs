using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Infrastructure;

/// <summary>Rules every business time reported by another system obeys.</summary>
public static class BusinessTime
{
    /// <summary>How far another system's clock may run ahead of ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(2);

    public static ProblemDetails NotInTheFuture(string field, DateTimeOffset instant, TimeProvider clock) =>
        NotInTheFuture(field, instant, clock.GetUtcNow());

    public static ProblemDetails NotInTheFuture(string field, DateTimeOffset instant, DateTimeOffset now) =>
        instant > now + ClockSkew
            ? Problems.Invalid(field, $"'{field}' ({instant:O}) lies in the future.")
            : Problems.None;

    public static ProblemDetails NotBefore(string field, DateTimeOffset instant, string earlierField, DateTimeOffset earlier) =>
        instant < earlier
            ? Problems.Conflict(field, $"'{field}' ({instant:O}) may not precede '{earlierField}' ({earlier:O}): times never go backwards.")
            : Problems.None;

    /// <summary>Both checks in order: the reported time is real, and it follows what it must follow.</summary>
    public static ProblemDetails Follows(string field, DateTimeOffset instant, string earlierField, DateTimeOffset earlier, TimeProvider clock) =>
        Follows(field, instant, earlierField, earlier, clock.GetUtcNow());

    public static ProblemDetails Follows(string field, DateTimeOffset instant, string earlierField, DateTimeOffset earlier, DateTimeOffset now) =>
        NotInTheFuture(field, instant, now).Then(() => NotBefore(field, instant, earlierField, earlier));
}
