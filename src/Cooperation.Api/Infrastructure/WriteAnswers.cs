namespace Cooperation.Api.Infrastructure;

/// <summary>The HTTP answer to a write step's decision, the same for every stream.</summary>
public static class WriteAnswers
{
    /// <summary>
    /// The problem, or the stream as the decision leaves it (<paramref name="before"/> for a repeat), shown as
    /// <paramref name="view"/>: 200, or 201 at <paramref name="location"/> when one is given and something was stored.
    /// </summary>
    public static IResult Answer<T, TView>(this Decision decision, T? before, string key, Func<T, TView> view, Func<T, string>? location = null)
        where T : class, IAggregate<T>
    {
        if (decision.Problem is { } problem)
        {
            return Results.Problem(problem);
        }

        var after = decision.After(before, key)!;
        return location is not null && !decision.IsRepeat ? Results.Created(location(after), view(after)) : Results.Ok(view(after));
    }
}
