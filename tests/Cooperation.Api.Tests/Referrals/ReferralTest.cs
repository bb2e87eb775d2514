using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Calls;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Referrals;

/// <summary>Tests about referrals: opened by a call's completion, worked by the client city's departments.</summary>
public abstract class ReferralTest(AppFixture fixture) : CallTest(fixture)
{
    /// <summary>The completion that opens a referral: 09:19:00 Berlin time, 1 March 2021.</summary>
    protected const string OpenedAt = "2021-03-01T09:19:00+01:00";

    /// <summary>Given: a call completed with a referring outcome; returns the referral it opened (<c>ref-{callId}</c>).</summary>
    protected async Task<string> GivenReferral(
        string outcome = "referred", string department = "ordnungsamt", string? contract = null, string completedAt = OpenedAt)
    {
        var callId = await GivenCompletedCall(Completed(outcome, completedAt, department), contract);
        return $"ref-{callId}";
    }

    protected static string Step(string referralId, string step) => $"/api/referrals/{referralId}/{step}";

    /// <summary>The department's steps, as their paths end.</summary>
    protected static readonly string[] Steps = ["accepted", "answered", "returned"];

    /// <summary>The time field of a step's body.</summary>
    protected static string TimeOf(string step) => step + "At";

    /// <summary>A step's body at the given time (a return with a reason).</summary>
    protected static JsonObject StepBody(string step, string at) => step switch
    {
        "accepted" => Accepted(at),
        "answered" => AnsweredReferral(at),
        "returned" => Returned(at),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no such step"),
    };

    protected static JsonObject Accepted(string at) => new() { ["acceptedAt"] = at };

    protected static JsonObject AnsweredReferral(string at) => new() { ["answeredAt"] = at };

    protected static JsonObject Returned(string at, string? reason = "Zuständig ist das Standesamt") => new() { ["returnedAt"] = at, ["reason"] = reason };
}
