using Cooperation.Api.Infrastructure;
using Marten;

namespace Cooperation.Api.Demo;

/// <summary>
/// What the demo writes in one session, decided by the deciders the API uses (ADR 14) on the streams' states as
/// the demo knows them: recorded elsewhere (the bulk import), or folded from what it decided before, so nothing is
/// read back per stream. The demo's data must never be refused: a refusal throws. <see cref="Stage"/> appends each
/// stream's events at the version the demo knows (the save fails if the stream moved meanwhile) or starts it.
/// </summary>
public sealed class DemoWrites
{
    private readonly Dictionary<string, Stream> _streams = new(StringComparer.Ordinal);

    private sealed class Stream(object? state, long version, Type? starts)
    {
        public object? State { get; set; } = state;

        public long Version { get; } = version;

        public Type? Starts { get; } = starts;

        public List<object> Events { get; } = [];
    }

    /// <summary>The events decided so far.</summary>
    public int Events => _streams.Values.Sum(s => s.Events.Count);

    /// <summary>A stream as <paramref name="decision"/>, already stored by someone else, left it: known, not written again.</summary>
    public T Recorded<T>(string key, Decision decision) where T : class, IAggregate<T>
    {
        var state = Aggregates.Fold<T>(null, Accepted(decision).EventsOf(key))
            ?? throw new InvalidOperationException($"The demo's decision recorded nothing for '{key}': {decision}");
        _streams[key] = new Stream(state, state.Version, null);
        return state;
    }

    /// <summary>The stream's state as known (null: unknown).</summary>
    public T? State<T>(string key) where T : class, IAggregate<T> => _streams.TryGetValue(key, out var known) ? (T?)known.State : null;

    /// <summary>
    /// Decides on the stream's state as known (null: a new stream), keeps the events and returns the state after them.
    /// Events the decision adds to another stream are kept too, but that stream's state is not folded: the demo decides
    /// nothing more on it afterwards.
    /// </summary>
    public T Decide<T>(string key, Func<T?, Decision> decide) where T : class, IAggregate<T>
    {
        var before = State<T>(key);
        var decision = Accepted(decide(before));
        foreach (var change in decision.Changes)
        {
            if (!_streams.TryGetValue(change.Key, out var stream))
            {
                _streams[change.Key] = stream = new Stream(null, 0,
                    change.Starts ?? throw new InvalidOperationException($"The demo decided events for '{change.Key}' without knowing its state."));
            }

            stream.Events.AddRange(change.Events);
        }

        var after = decision.After(before, key)!;
        _streams[key].State = after;
        return after;
    }

    /// <summary>Into the session: each stream's events appended at the version known, or the stream started.</summary>
    public void Stage(IDocumentSession session)
    {
        foreach (var (key, stream) in _streams.Where(s => s.Value.Events.Count > 0))
        {
            if (stream.Starts is { } aggregate)
            {
                session.Events.StartStream(aggregate, key, [.. stream.Events]);
            }
            else
            {
                session.Events.Append(key, stream.Version + stream.Events.Count, [.. stream.Events]);
            }
        }
    }

    private static Decision Accepted(Decision decision) =>
        decision.IsRefused ? throw new InvalidOperationException($"A rule refused the demo's data: {decision}") : decision;
}
