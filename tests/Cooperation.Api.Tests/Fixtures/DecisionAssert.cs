using System.Runtime.CompilerServices;
using Cooperation.Api.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Tests.Fixtures;

/// <summary>The "then" of a decider's unit test: the events decided (whole records), a repeat, or a problem.</summary>
internal static class DecisionAssert
{
    /// <summary>Exactly these events, on this stream, and nothing else.</summary>
    public static void Appends(Decision decision, string key, params object[] events)
    {
        Assert.Null(decision.Problem);
        var change = Assert.Single(decision.Changes);
        Assert.Equal(key, change.Key);
        Assert.Equal(events, change.Events);
    }

    /// <summary>A new stream of <typeparamref name="TAggregate"/> with exactly these events.</summary>
    public static void Starts<TAggregate>(Decision decision, string key, params object[] events)
    {
        Appends(decision, key, events);
        Assert.Equal(typeof(TAggregate), decision.Changes[0].Starts);
    }

    /// <summary>Already recorded: answered as it stands, nothing stored.</summary>
    public static void Repeats(Decision decision)
    {
        Assert.Null(decision.Problem);
        Assert.True(decision.IsRepeat, decision.ToString());
    }

    /// <summary>
    /// Refused with <paramref name="status"/>, naming <paramref name="field"/> in 'errors' (null: a problem without
    /// 'errors'), and saying <paramref name="says"/> in its detail or in what 'errors' says of the field.
    /// </summary>
    public static ProblemDetails Refuses(Decision decision, int status, string? field, string? says = null)
    {
        var said = new List<string>();
        var problem = Assert.IsType<ProblemDetails>(decision.Problem);
        Assert.Empty(decision.Changes);
        Assert.Equal(status, problem.Status);
        if (field is null)
        {
            Assert.False(problem.Extensions.ContainsKey(Problems.ErrorsKey), decision.ToString());
        }
        else
        {
            var errors = Assert.IsAssignableFrom<IDictionary<string, string[]>>(problem.Extensions[Problems.ErrorsKey]);
            Assert.Contains(field, errors.Keys);
            said.AddRange(errors[field]);
        }

        if (says is not null)
        {
            said.Add(problem.Detail ?? string.Empty);
            Assert.True(said.Any(s => s.Contains(says, StringComparison.Ordinal)), $"'{says}' not in: {string.Join(" | ", said)}");
        }

        return problem;
    }

    /// <summary>
    /// Feeds every event type of <typeparamref name="T"/>'s stream to its fold (uninitialized instances, the
    /// <paramref name="creating"/> event first): each has a rule, none throws <see cref="UnknownEventException"/>.
    /// </summary>
    public static void FoldsEveryEventType<T>(Type creating) where T : class, IAggregate<T>
    {
        var types = Aggregates.EventTypesOf<T>();
        Assert.Contains(creating, types);
        var later = types.Where(t => t != creating).ToList();
        Assert.NotEmpty(later);

        var state = T.When(null, RuntimeHelpers.GetUninitializedObject(creating));
        foreach (var type in later)
        {
            state = T.When(state, RuntimeHelpers.GetUninitializedObject(type));
        }

        // What the fold does with what it has no rule for, so the check above can fail.
        Assert.Throws<UnknownEventException>(() => T.When(state, new object()));
        Assert.Throws<UnknownEventException>(() => T.When(null, RuntimeHelpers.GetUninitializedObject(later[0])));
    }
}
