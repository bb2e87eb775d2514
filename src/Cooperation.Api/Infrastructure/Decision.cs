using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Infrastructure;

/// <summary>Events for one stream. <see cref="Starts"/> names the aggregate of a stream the decision starts.</summary>
public sealed record StreamEvents(string Key, IReadOnlyList<object> Events, Type? Starts = null);

/// <summary>
/// What a decider says to a command, given the state and the time (ADR 14): events to store, possibly on
/// more than one stream (a completion opens a referral in the same transaction); nothing, because the command
/// repeats exactly what is recorded; or a problem. Deciders are pure: they read no database and no clock.
/// </summary>
public sealed record Decision
{
    private Decision(ProblemDetails? problem, IReadOnlyList<StreamEvents> changes)
    {
        Problem = problem;
        Changes = changes;
    }

    /// <summary>The command repeats what is recorded: answered as it was, nothing stored.</summary>
    public static Decision AlreadyRecorded { get; } = new(null, []);

    public ProblemDetails? Problem { get; }

    public IReadOnlyList<StreamEvents> Changes { get; }

    public bool IsRefused => Problem is not null;

    public bool IsRepeat => Problem is null && Changes.Count == 0;

    public static Decision Refuse(ProblemDetails problem) =>
        problem.IsNone() ? throw new ArgumentException("A refusal needs a problem.", nameof(problem)) : new(problem, []);

    /// <summary>Refuses with <paramref name="problem"/> unless it is none, otherwise decides on.</summary>
    public static Decision Unless(ProblemDetails problem, Func<Decision> decide) => problem.IsNone() ? decide() : Refuse(problem);

    public static Decision Append(string key, params object[] events) => new(null, [new(key, events)]);

    /// <summary>Changes decided elsewhere and gathered (the bulk import's chunk), to be staged as one.</summary>
    public static Decision Of(IReadOnlyList<StreamEvents> changes) => new(null, changes);

    public static Decision Start<TAggregate>(string key, params object[] events) => new(null, [new(key, events, typeof(TAggregate))]);

    /// <summary>More events for another stream, in the same transaction.</summary>
    public Decision And(string key, params object[] events) =>
        IsRefused ? this : new(null, [.. Changes, new(key, events)]);

    public Decision AndStart<TAggregate>(string key, params object[] events) =>
        IsRefused ? this : new(null, [.. Changes, new(key, events, typeof(TAggregate))]);

    public IReadOnlyList<object> EventsOf(string key) => Changes.FirstOrDefault(c => c.Key == key)?.Events ?? [];

    /// <summary>The stream's state after this decision's events (the state itself for a repeat or a refusal).</summary>
    public T? After<T>(T? before, string key) where T : class, IAggregate<T> => Aggregates.Fold(before, EventsOf(key));

    public override string ToString() =>
        Problem is not null ? $"Refused {Problem.Status}: {Problem.Detail}"
        : IsRepeat ? "Already recorded"
        : string.Join("; ", Changes.Select(c => $"{c.Key}: {string.Join(", ", c.Events.Select(e => e.GetType().Name))}"));
}
