using Cooperation.Api.Appointments;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Tests.Reports;
using static Cooperation.Api.Tests.Fixtures.DecisionAssert;

namespace Cooperation.Api.Tests.Appointments;

/// <summary>The rules of an appointment's stream, without a database: given events, when a command, then events or a problem.</summary>
public sealed class AppointmentDeciderTests
{
    private const string Id = "apt-1";
    private const string Key = "appointment:apt-1";
    private static readonly DateTimeOffset Now = Terms.At("2021-03-05T12:00:00Z");
    private static readonly DateTimeOffset StartsAt = Terms.At("2021-03-02T10:00:00+01:00");
    private static readonly Contract Contract = Terms.Contract(); // from 2020-11-02; provider bochum, client castrop-rauxel
    private static readonly string ContractId = Contract.ContractId;
    private static readonly Caller Agent = new("agent-7", "bochum");

    private static readonly AppointmentBooked Booked = new(Id, ContractId, null, "Personalausweis", StartsAt, Terms.At("2021-03-01T09:00:00Z"));

    private static AppointmentSituation Given(params object[] events) => Given(Agent, events);

    private static AppointmentSituation Given(Caller caller, params object[] events) =>
        new(Id, Aggregates.Fold<Appointment>(null, events), Contract, caller, Now);

    private static BookAppointment Booking(string? callId = null, string service = "Personalausweis", DateTimeOffset? startsAt = null, string? contractId = null) =>
        new(Id, contractId ?? ContractId, callId, service, startsAt ?? StartsAt);

    /// <summary>A call on the contract, folded from its events: offered, then whatever follows.</summary>
    private static Call CallOf(params object[] after) =>
        Aggregates.Fold<Call>(null, [new CallOffered("c1", ContractId, "buergerbuero", Terms.At("2021-03-01T09:15:00+01:00"), null), .. after])!;

    private static readonly CallAnswered Answered = new("c1", Terms.At("2021-03-01T09:15:20+01:00"), "agent-7");

    private static CallCompleted CompletedAs(CallOutcome outcome) =>
        new("c1", Terms.At("2021-03-01T09:19:00+01:00"), outcome, null, null, null, null);

    /// <summary>The situation of a booking in call c1.</summary>
    private static AppointmentSituation InCall(Call? call, Contract? callsContract = null) =>
        new AppointmentSituation(Id, null, Contract, Agent, Now) { Call = call, CallsContract = callsContract ?? Contract };

    // ---- Book ----

    [Fact]
    public void A_booking_starts_the_stream_booked_now()
    {
        Starts<Appointment>(AppointmentDecider.Book(Booking(), Given()), Key, Booked with { BookedAt = Now });
    }

    [Fact]
    public void A_booking_on_a_contract_that_does_not_exist_or_is_out_of_reach_is_404_naming_contractId()
    {
        Refuses(AppointmentDecider.Book(Booking(), Given() with { Contract = null }), 404, "contractId");
        Refuses(AppointmentDecider.Book(Booking(), Given(new Caller("clerk", "dortmund"))), 404, "contractId");
    }

    [Fact]
    public void A_booking_repeated_identically_is_already_recorded_even_after_it_was_rescheduled()
    {
        Repeats(AppointmentDecider.Book(Booking(startsAt: Terms.At("2021-03-02T09:00:00Z")), Given(Booked))); // the same instant
        Repeats(AppointmentDecider.Book(Booking(), Given(Booked, new AppointmentRescheduled(Id, StartsAt.AddDays(1), Now))));
    }

    [Theory]
    [InlineData("contractId")]
    [InlineData("callId")]
    [InlineData("service")]
    [InlineData("startsAt")]
    public void A_booking_repeated_differently_is_409_naming_the_difference(string field)
    {
        var command = field switch
        {
            "contractId" => Booking(contractId: "another-contract"),
            "callId" => Booking(callId: "c1"),
            "service" => Booking(service: "Reisepass"),
            _ => Booking(startsAt: StartsAt.AddHours(1)),
        };

        var problem = Refuses(AppointmentDecider.Book(command, Given(Booked)), 409, field);

        Assert.Single((IDictionary<string, string[]>)problem.Extensions["errors"]!);
    }

    [Theory]
    [InlineData("2020-11-01T22:59:59Z", false)] // 23:59:59 on 1 November in Berlin: the day before the term
    [InlineData("2020-11-01T23:00:00Z", true)] // midnight in Berlin: the term's first day
    [InlineData("2020-10-30T10:00:00+01:00", false)]
    public void A_booking_starts_on_a_day_the_contract_covers_in_Berlin(string startsAt, bool covered)
    {
        var at = Terms.At(startsAt);
        var decision = AppointmentDecider.Book(Booking(startsAt: at), Given());

        if (covered)
        {
            Starts<Appointment>(decision, Key, Booked with { StartsAt = at, BookedAt = Now });
        }
        else
        {
            Refuses(decision, 409, "startsAt", "does not cover");
        }
    }

    [Theory]
    [InlineData(null)] // answered, not yet completed: it gets its outcome later
    [InlineData(CallOutcome.AppointmentBooked)]
    public void A_booking_in_an_answered_call_of_the_contract_names_the_call(CallOutcome? outcome)
    {
        var call = outcome is { } o ? CallOf(Answered, CompletedAs(o)) : CallOf(Answered);

        Starts<Appointment>(AppointmentDecider.Book(Booking(callId: "c1"), InCall(call)), Key, Booked with { CallId = "c1", BookedAt = Now });
    }

    [Fact]
    public void A_booking_in_a_call_that_does_not_exist_or_is_out_of_reach_is_404_naming_callId()
    {
        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), InCall(null)), 404, "callId", "There is no call 'c1'.");

        var foreign = Contract with { Client = Contract.Client with { Id = "dortmund" } };
        var clerk = new AppointmentSituation(Id, null, Contract, new Caller("clerk", "castrop-rauxel"), Now) { Call = CallOf(Answered), CallsContract = foreign };
        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), clerk), 404, "callId");
    }

    [Fact]
    public void A_booking_in_a_call_of_another_contract_is_409_naming_callId()
    {
        var other = Contract with { Id = "contract:other", ContractId = "other" };
        var call = Aggregates.Fold<Call>(null, [new CallOffered("c1", "other", "buergerbuero", Terms.At("2021-03-01T09:15:00+01:00"), null), Answered])!;

        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), InCall(call, other)), 409, "callId", "was taken on contract 'other'");
    }

    [Fact]
    public void A_booking_in_a_call_only_offered_or_abandoned_is_409_naming_callId()
    {
        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), InCall(CallOf())), 409, "callId", "has not been answered");
        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), InCall(CallOf(new CallAbandoned("c1", Terms.At("2021-03-01T09:16:00+01:00"))))),
            409, "callId", "was abandoned");
    }

    [Fact]
    public void A_booking_in_a_call_of_an_invoiced_quarter_is_409_naming_callId()
    {
        var invoiced = Contract with { ClosedQuarters = [new ClosedQuarter(2021, 1, "inv-1", "BO-2021-0001")] };

        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), InCall(CallOf(Answered), invoiced)), 409, "callId", "is invoiced");
    }

    [Theory]
    [InlineData(CallOutcome.Resolved)]
    [InlineData(CallOutcome.Referred)]
    [InlineData(CallOutcome.CallbackPromised)]
    public void A_booking_in_a_call_completed_with_another_outcome_is_409_naming_callId(CallOutcome outcome)
    {
        Refuses(AppointmentDecider.Book(Booking(callId: "c1"), InCall(CallOf(Answered, CompletedAs(outcome)))), 409, "callId",
            $"was completed as '{outcome.Name()}'");
    }

    // ---- The changes of a booked appointment ----

    /// <summary>Each change, decided on the situation, and the event it appends when it may.</summary>
    public static TheoryData<string> Changes => ["rescheduled", "cancelled", "attended", "missed"];

    private static readonly DateTimeOffset NewStart = Terms.At("2021-03-03T11:00:00+01:00");

    private static Decision Change(string change, AppointmentSituation s, string? reason = "citizen called to cancel") => change switch
    {
        "rescheduled" => AppointmentDecider.Reschedule(new RescheduleAppointment(NewStart), s),
        "cancelled" => AppointmentDecider.Cancel(new CancelAppointment(reason), s),
        "attended" => AppointmentDecider.RecordAttended(new RecordAppointmentAttended(), s),
        "missed" => AppointmentDecider.RecordMissed(new RecordAppointmentMissed(), s),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, "no such change"),
    };

    private static object Event(string change, string? reason = "citizen called to cancel") => change switch
    {
        "rescheduled" => new AppointmentRescheduled(Id, NewStart, Now),
        "cancelled" => new AppointmentCancelled(Id, reason, Now),
        "attended" => new AppointmentAttended(Id, Now),
        "missed" => new AppointmentMissed(Id, Now),
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, "no such change"),
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_booked_appointment_takes_each_change_stamped_now(string change)
    {
        Appends(Change(change, Given(Booked)), Key, Event(change));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void Each_change_repeated_is_already_recorded(string change)
    {
        Repeats(Change(change, Given(Booked, Event(change))));
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_of_an_appointment_that_does_not_exist_or_is_out_of_reach_is_404(string change)
    {
        Refuses(Change(change, Given()), 404, null, "There is no appointment 'apt-1'.");
        Refuses(Change(change, Given(Booked) with { Contract = null }), 404, null);
        Refuses(Change(change, Given(new Caller("clerk", "dortmund"), Booked)), 404, null);
    }

    [Theory]
    [InlineData("cancelled", "rescheduled", "was cancelled")]
    [InlineData("cancelled", "attended", "was cancelled")]
    [InlineData("cancelled", "missed", "was cancelled")]
    [InlineData("attended", "rescheduled", "was recorded as attended")]
    [InlineData("attended", "cancelled", "was recorded as attended")]
    [InlineData("attended", "missed", "was recorded as attended")]
    [InlineData("missed", "rescheduled", "was recorded as missed")]
    [InlineData("missed", "cancelled", "was recorded as missed")]
    [InlineData("missed", "attended", "was recorded as missed")]
    public void Nothing_changes_after_cancelled_attended_or_missed(string closing, string change, string detail)
    {
        Refuses(Change(change, Given(Booked, Event(closing))), 409, "status", detail);
    }

    [Fact]
    public void A_reschedule_to_where_it_already_is_is_already_recorded_whatever_happened_since()
    {
        Repeats(AppointmentDecider.Reschedule(new RescheduleAppointment(Terms.At("2021-03-02T09:00:00Z")), Given(Booked))); // the same instant
        Repeats(AppointmentDecider.Reschedule(new RescheduleAppointment(StartsAt), Given(Booked, new AppointmentCancelled(Id, null, Now))));
    }

    [Fact]
    public void A_reschedule_outside_the_contracts_term_is_409_naming_startsAt()
    {
        Refuses(AppointmentDecider.Reschedule(new RescheduleAppointment(Terms.At("2020-10-30T10:00:00+01:00")), Given(Booked)), 409, "startsAt", "does not cover");
    }

    [Fact]
    public void A_cancellation_repeated_with_another_reason_is_409_naming_reason()
    {
        Refuses(Change("cancelled", Given(Booked, Event("cancelled")), "moved away"), 409, "reason", null);
        Refuses(Change("cancelled", Given(Booked, Event("cancelled", reason: null))), 409, "reason", null);
        Appends(Change("cancelled", Given(Booked), reason: null), Key, Event("cancelled", reason: null)); // a reason is optional
    }

    [Theory]
    [InlineData("attended", 0, true)]
    [InlineData("attended", 120, true)] // the two minutes another clock may run ahead
    [InlineData("attended", 121, false)]
    [InlineData("missed", 120, true)]
    [InlineData("missed", 121, false)]
    public void Attended_or_missed_is_known_only_once_the_appointment_has_begun(string change, int startsInSeconds, bool known)
    {
        var s = Given(Booked with { StartsAt = Now.AddSeconds(startsInSeconds) });

        if (known)
        {
            Appends(Change(change, s), Key, Event(change));
        }
        else
        {
            Refuses(Change(change, s), 409, "startsAt", "once it has begun");
        }
    }

    // ---- The fold ----

    [Fact]
    public void A_reschedule_moves_the_start_but_not_what_was_first_booked()
    {
        var appointment = Aggregates.Fold<Appointment>(null, [Booked, Event("rescheduled")]);

        Assert.Equal(
            new Appointment(Key, Id, ContractId, null, "Personalausweis", StartsAt, NewStart, AppointmentStatus.Booked, Booked.BookedAt, Now, null, null, null)
            {
                Version = 2,
            },
            appointment);
    }

    [Fact]
    public void Every_event_of_the_stream_has_a_rule_in_When()
    {
        Assert.Contains(typeof(AppointmentMissed), Aggregates.EventTypesOf<Appointment>());

        FoldsEveryEventType<Appointment>(typeof(AppointmentBooked));
    }
}
