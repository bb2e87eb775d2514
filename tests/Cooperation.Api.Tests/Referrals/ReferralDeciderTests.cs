using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Tests.Reports;
using static Cooperation.Api.Tests.Fixtures.DecisionAssert;

namespace Cooperation.Api.Tests.Referrals;

/// <summary>The rules of a referral's stream, without a database: given events, when a step, then events or a problem.</summary>
public sealed class ReferralDeciderTests
{
    private const string Id = "ref-c1";
    private const string Key = "referral:ref-c1";
    private static readonly DateTimeOffset Now = Terms.At("2021-03-05T12:00:00Z");
    private static readonly DateTimeOffset OpenedAt = Terms.At("2021-03-01T09:19:00+01:00");
    private static readonly Contract Contract = Terms.Contract(); // provider bochum, client castrop-rauxel

    private static readonly ReferralOpened Opened = new(Id, "c1", Contract.ContractId, "buergerbuero", "ordnungsamt", CallOutcome.Referred, OpenedAt);

    /// <summary>A clerk of the client city: the one who works referrals.</summary>
    private static readonly Caller Clerk = new("clerk", "castrop-rauxel");

    private static ReferralSituation Given(params object[] events) => Given(Clerk, events);

    private static ReferralSituation Given(Caller caller, params object[] events) =>
        new(Id, Aggregates.Fold<Referral>(null, events), Contract, caller, Now);

    private static DateTimeOffset At(string instant) => Terms.At(instant);

    private static ReferralAccepted AcceptedAt(string at) => new(Id, At(at));

    /// <summary>The decision on a step, by the name its path ends with.</summary>
    private static Decision Decide(string step, ReferralSituation s, DateTimeOffset at, string reason = "Nicht zuständig") => step switch
    {
        "accepted" => ReferralDecider.Accept(new AcceptReferral(at), s),
        "answered" => ReferralDecider.Answer(new AnswerReferral(at), s),
        "returned" => ReferralDecider.Return(new ReturnReferral(at, reason), s),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no such step"),
    };

    private static object Event(string step, DateTimeOffset at, string reason = "Nicht zuständig") => step switch
    {
        "accepted" => new ReferralAccepted(Id, at),
        "answered" => new ReferralAnswered(Id, at),
        "returned" => new ReferralReturned(Id, at, reason),
        _ => throw new ArgumentOutOfRangeException(nameof(step), step, "no such step"),
    };

    [Theory]
    [InlineData("accepted")]
    [InlineData("answered")]
    [InlineData("returned")]
    public void Each_step_on_an_open_referral_appends_its_event(string step)
    {
        var at = At("2021-03-01T10:00:00+01:00");

        Appends(Decide(step, Given(Opened), at), Key, Event(step, at));
    }

    [Theory]
    [InlineData("answered")]
    [InlineData("returned")]
    public void An_accepted_referral_is_answered_or_returned(string step)
    {
        var at = At("2021-03-01T11:00:00+01:00");

        Appends(Decide(step, Given(Opened, AcceptedAt("2021-03-01T10:00:00+01:00")), at), Key, Event(step, at));
    }

    [Fact]
    public void A_reassigned_referral_is_open_again_and_accepted_anew_after_its_opening()
    {
        var s = Given(Opened, AcceptedAt("2021-03-01T10:00:00+01:00"), new ReferralReturned(Id, At("2021-03-01T10:30:00+01:00"), "falsch"),
            new ReferralReassigned(Id, "standesamt", At("2021-03-02T08:00:00+01:00"), "Korrektur"));

        Assert.Equal(
            Referral.When(null, Opened) with { Department = "standesamt", Version = 4 },
            s.Referral);
        // Its earlier acceptance is gone: a new one follows the opening, not the old acceptance.
        Appends(ReferralDecider.Accept(new AcceptReferral(At("2021-03-01T09:30:00+01:00")), s), Key, AcceptedAt("2021-03-01T09:30:00+01:00"));
    }

    [Theory]
    [InlineData("castrop-rauxel", 0)] // the client city's department
    [InlineData("bochum", 403)] // the provider sees it, but does not work it
    [InlineData(null, 403)] // the auditor sees everything, works nothing
    [InlineData("dortmund", 404)] // no party: it does not exist for them
    public void Only_the_client_citys_departments_work_a_referral(string? municipality, int status)
    {
        var at = At("2021-03-01T10:00:00+01:00");
        foreach (var step in new[] { "accepted", "answered", "returned" })
        {
            var decision = Decide(step, Given(new Caller("someone", municipality), Opened), at);

            if (status == 0)
            {
                Appends(decision, Key, Event(step, at));
            }
            else
            {
                Refuses(decision, status, null, "referral 'ref-c1'");
            }
        }
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("answered")]
    [InlineData("returned")]
    public void A_referral_that_does_not_exist_or_whose_contract_is_gone_is_404(string step)
    {
        var at = At("2021-03-01T10:00:00+01:00");

        Refuses(Decide(step, new ReferralSituation(Id, null, Contract, Clerk, Now), at), 404, null, "There is no referral 'ref-c1'.");
        Refuses(Decide(step, Given(Opened) with { Contract = null }, at), 404, null, "There is no referral 'ref-c1'.");
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("answered")]
    [InlineData("returned")]
    public void A_step_repeated_identically_is_already_recorded(string step)
    {
        var at = At("2021-03-01T10:00:00+01:00");

        Repeats(Decide(step, Given(Opened, Event(step, at)), At("2021-03-01T09:00:00Z"))); // the same instant
    }

    [Theory]
    [InlineData("answered")]
    [InlineData("returned")]
    public void A_late_retry_of_the_acceptance_after_the_referral_closed_is_already_recorded(string closing)
    {
        var s = Given(Opened, AcceptedAt("2021-03-01T10:00:00+01:00"), Event(closing, At("2021-03-01T11:00:00+01:00")));

        Repeats(ReferralDecider.Accept(new AcceptReferral(At("2021-03-01T10:00:00+01:00")), s));
    }

    [Theory]
    [InlineData("accepted", "2021-03-01T10:01:00+01:00", "Nicht zuständig", "acceptedAt")]
    [InlineData("answered", "2021-03-01T10:01:00+01:00", "Nicht zuständig", "answeredAt")]
    [InlineData("returned", "2021-03-01T10:01:00+01:00", "Nicht zuständig", "returnedAt")]
    [InlineData("returned", "2021-03-01T10:00:00+01:00", "ein anderer Grund", "reason")]
    public void A_step_repeated_differently_is_409_naming_the_difference(string step, string at, string reason, string field)
    {
        var s = Given(Opened, Event(step, At("2021-03-01T10:00:00+01:00")));

        var problem = Refuses(Decide(step, s, At(at), reason), 409, field);

        Assert.Single((IDictionary<string, string[]>)problem.Extensions["errors"]!);
    }

    [Theory]
    [InlineData("answered", "accepted")]
    [InlineData("answered", "returned")]
    [InlineData("returned", "accepted")]
    [InlineData("returned", "answered")]
    public void A_closed_referral_takes_no_more_steps(string closing, string step)
    {
        var s = Given(Opened, Event(closing, At("2021-03-01T10:00:00+01:00")));

        Refuses(Decide(step, s, At("2021-03-01T10:30:00+01:00")), 409, step + "At", "a closed referral takes no more steps");
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("answered")]
    [InlineData("returned")]
    public void A_step_never_precedes_the_opening(string step)
    {
        Refuses(Decide(step, Given(Opened), OpenedAt.AddSeconds(-1)), 409, step + "At", "may not precede 'openedAt'");
        Appends(Decide(step, Given(Opened), OpenedAt), Key, Event(step, OpenedAt)); // at the very instant it opened
    }

    [Theory]
    [InlineData("answered")]
    [InlineData("returned")]
    public void After_an_acceptance_a_step_never_precedes_it(string step)
    {
        var s = Given(Opened, AcceptedAt("2021-03-01T10:00:00+01:00"));

        Refuses(Decide(step, s, At("2021-03-01T09:59:59+01:00")), 409, step + "At", "may not precede 'acceptedAt'");
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("answered")]
    [InlineData("returned")]
    public void A_step_is_not_in_the_future_beyond_the_clock_skew(string step)
    {
        var latest = Now + BusinessTime.ClockSkew;

        Appends(Decide(step, Given(Opened), latest), Key, Event(step, latest));
        Refuses(Decide(step, Given(Opened), latest.AddSeconds(1)), 400, step + "At", "lies in the future");
    }

    [Fact]
    public void Every_event_of_the_stream_has_a_rule_in_When()
    {
        Assert.Contains(typeof(ReferralReassigned), Aggregates.EventTypesOf<Referral>());

        FoldsEveryEventType<Referral>(typeof(ReferralOpened));
    }
}
