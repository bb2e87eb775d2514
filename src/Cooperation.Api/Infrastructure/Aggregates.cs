using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten.Events.Aggregation;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// A stream's state with the one fold of its events. Every reader of the stream folds through
/// <see cref="When"/>: the write step, Marten's live and inline aggregation, the reports' projection, the
/// bulk import and the as-known-at reads (ADR 14).
/// </summary>
public interface IAggregate<TSelf> where TSelf : class, IAggregate<TSelf>
{
    /// <summary>The stream key, e.g. <c>call:4711</c>.</summary>
    string Id { get; }

    long Version { get; }

    TSelf AtVersion(long version);

    /// <summary>
    /// The state after one more event: the first event creates it. An event type of the stream without a rule
    /// here throws <see cref="UnknownEventException"/> (a test feeds every type of the stream), never passes silently.
    /// </summary>
    static abstract TSelf When(TSelf? state, object @event);

    /// <summary>Every event type of the stream (those marked <see cref="IStreamEvent{TAggregate}"/>): what its projections subscribe to and what the tests feed.</summary>
    static virtual IReadOnlyList<Type> EventTypes => Aggregates.EventTypesOf<TSelf>();
}

/// <summary>Marks an event of <typeparamref name="TAggregate"/>'s stream.</summary>
#pragma warning disable CA1040 // a marker: the stream an event belongs to is all it says
public interface IStreamEvent<TAggregate>;
#pragma warning restore CA1040

public sealed class UnknownEventException(Type aggregate, object? @event)
    : InvalidOperationException($"{aggregate.Name} has no rule for the event {@event?.GetType().Name ?? "null"}, or not in this place of its stream.");

public static class Aggregates
{
    public static IReadOnlyList<Type> EventTypesOf<T>() => EventTypes<T>.All;

    /// <summary>Folds events that are not (yet) stored: each counts one version up.</summary>
    public static T? Fold<T>(T? state, IEnumerable<object> events) where T : class, IAggregate<T>
    {
        foreach (var e in events)
        {
            state = T.When(state, e).AtVersion((state?.Version ?? 0) + 1);
        }

        return state;
    }

    /// <summary>Folds stored events: each carries its version.</summary>
    public static T? Fold<T>(IEnumerable<IEvent> events) where T : class, IAggregate<T>
    {
        T? state = null;
        foreach (var e in events)
        {
            state = T.When(state, e.Data).AtVersion(e.Version);
        }

        return state;
    }
}

public static class AggregateRegistration
{
    /// <summary>Registers a stream type with Marten: its event types, and its aggregation through its one Evolve.</summary>
    public static void AddStream<T>(this Marten.StoreOptions options, ProjectionLifecycle lifecycle) where T : class, IAggregate<T>
    {
        foreach (var type in T.EventTypes)
        {
            options.Events.AddEventType(type);
        }

        options.Projections.Add(new EvolvingProjection<T>(), lifecycle);
    }
}

/// <summary>Marten's aggregation of a stream type through its one <see cref="IAggregate{TSelf}.When"/>.</summary>
public class EvolvingProjection<T> : SingleStreamProjection<T, string> where T : class, IAggregate<T>
{
    public EvolvingProjection()
    {
        foreach (var type in T.EventTypes)
        {
            IncludedEventTypes.Add(type);
        }
    }

    public override T? Evolve(T? snapshot, string id, IEvent e) => T.When(snapshot, e.Data).AtVersion(e.Version);
}

file static class EventTypes<T>
{
    public static readonly IReadOnlyList<Type> All = typeof(T).Assembly.GetTypes()
        .Where(t => t.IsAssignableTo(typeof(IStreamEvent<T>)) && !t.IsAbstract)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();
}
