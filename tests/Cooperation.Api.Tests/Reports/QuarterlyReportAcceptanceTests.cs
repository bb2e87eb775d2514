using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Reports;

/// <summary>
/// The acceptance scenario: a quarter of calls counted by hand, and the report it must give, written out in
/// full. Q4 2020 of a contract that starts on 2 November 2020 (fee 45,000 × 60 / 92 = 29,347.83 €).
/// </summary>
public class QuarterlyReportAcceptanceTests(AppFixture fixture) : ReportTest(fixture)
{
    [Fact]
    public async Task The_hand_counted_quarter()
    {
        var contract = await GivenContractWithTwoLines();
        await GivenTheHandCountedQuarter(contract);

        JsonAssert.Equal(Expected(contract), Figures(await Report(contract, 2020, 4)));
    }

    /// <summary>Each call with what it must count as (Berlin time; waits in seconds).</summary>
    internal async Task GivenTheHandCountedQuarter(string contract)
    {
        const string bb = "buergerbuero", ow = "ordnungswesen";

        // A: wait 12, resolved.
        var a = await Answered(contract, bb, "2020-11-09T09:00:00+01:00", "2020-11-09T09:00:12+01:00");
        await Complete(a, "resolved", "2020-11-09T09:04:00+01:00");

        // B: wait exactly 30 (within the service level), an appointment booked in the call.
        var b = await Answered(contract, bb, "2020-11-09T09:10:00+01:00", "2020-11-09T09:10:30+01:00");
        var appointment = await BookAppointment(contract, b, "2020-11-16T10:00:00+01:00");
        await Complete(b, "appointment-booked", "2020-11-09T09:14:00+01:00", appointmentId: appointment);

        // C: wait 45, referred at 09:25; answered the next day at 10:00 (8 h 35 min + 2 h of open line).
        var c = await Answered(contract, bb, "2020-11-09T09:20:00+01:00", "2020-11-09T09:20:45+01:00");
        await Complete(c, "referred", "2020-11-09T09:25:00+01:00", "ordnungsamt");
        await AnswerReferral(c, "2020-11-10T08:30:00+01:00", "2020-11-10T10:00:00+01:00");

        // D: wait 5, callback promised at 09:33; answered on Friday at noon (over 24 service hours).
        var d = await Answered(contract, bb, "2020-11-09T09:30:00+01:00", "2020-11-09T09:30:05+01:00");
        await Complete(d, "callback-promised", "2020-11-09T09:33:00+01:00", "buergerbuero-backoffice");
        await AnswerReferral(d, "2020-11-09T11:00:00+01:00", "2020-11-13T12:00:00+01:00");

        // E: abandoned after exactly 10 (not a short abandon). F: after 4 (short).
        await Abandoned(contract, bb, "2020-11-09T09:40:00+01:00", "2020-11-09T09:40:10+01:00");
        await Abandoned(contract, bb, "2020-11-09T09:50:00+01:00", "2020-11-09T09:50:04+01:00");

        // G: on a Saturday (outside hours), resolved, later corrected: counts only as outside hours and corrected.
        var g = await Answered(contract, bb, "2020-11-14T10:00:00+01:00", "2020-11-14T10:00:05+01:00");
        await Complete(g, "resolved", "2020-11-14T10:03:00+01:00");
        await Correct(g, new JsonObject { ["reason"] = "ACD clock drift", ["answeredAt"] = "2020-11-14T10:00:04+01:00" });

        // H: offered at 17:59:59 (inside hours), answered after 21 s, no outcome yet.
        await Answered(contract, bb, "2020-11-09T17:59:59+01:00", "2020-11-09T18:00:20+01:00");

        // I: offered at 18:00:00 (closed).
        await Abandoned(contract, bb, "2020-11-09T18:00:00+01:00", "2020-11-09T18:00:30+01:00");

        // J: answered after 40 s, corrected to 25 s (within the service level), resolved.
        var j = await Answered(contract, bb, "2020-11-09T10:00:00+01:00", "2020-11-09T10:00:40+01:00");
        await Complete(j, "resolved", "2020-11-09T10:04:00+01:00");
        await Correct(j, new JsonObject { ["reason"] = "answer time taken from the agent's log", ["answeredAt"] = "2020-11-09T10:00:25+01:00" });

        // K: still waiting.
        await Offered(contract, bb, "2020-11-09T10:05:00+01:00");

        // Q: 17:59:59 on New Year's Eve in Berlin, sent in UTC: wait 15, resolved.
        var q = await Answered(contract, bb, "2020-12-31T16:59:59Z", "2020-12-31T17:00:14Z");
        await Complete(q, "resolved", "2020-12-31T17:03:00Z");

        // P: 23:30 UTC on New Year's Eve is 00:30 on 1 January in Berlin: the next quarter's.
        await Abandoned(contract, bb, "2020-12-31T23:30:00Z", "2020-12-31T23:30:40Z");

        // L: wait 8, referred; the department has not answered.
        var l = await Answered(contract, ow, "2020-11-10T11:00:00+01:00", "2020-11-10T11:00:08+01:00");
        await Complete(l, "referred", "2020-11-10T11:06:00+01:00", "ordnungsamt");

        // M: wait 50, resolved, corrected to callback promised (which opens the referral), answered the same afternoon.
        var m = await Answered(contract, ow, "2020-11-12T11:00:00+01:00", "2020-11-12T11:00:50+01:00");
        await Complete(m, "resolved", "2020-11-12T11:05:00+01:00");
        await Correct(m, new JsonObject { ["reason"] = "the citizen is owed a callback", ["outcome"] = "callback-promised", ["department"] = "ordnungsamt" });
        await AnswerReferral(m, "2020-11-12T13:00:00+01:00", "2020-11-12T15:00:00+01:00");

        // N: abandoned after 20.
        await Abandoned(contract, ow, "2020-11-12T12:00:00+01:00", "2020-11-12T12:00:20+01:00");
    }

    internal static JsonObject Expected(string contract) => JsonNode.Parse($$"""
    {
      "contractId": "{{contract}}", "year": 2020, "quarter": 4, "from": "2020-10-01", "to": "2020-12-31", "asOf": null,
      "settings": { "serviceLevelSeconds": 30, "shortAbandonSeconds": 10, "serviceLevelTargetPercent": 75, "firstContactResolutionTargetPercent": 80 },
      "settingsPeriods": [
        { "from": "2020-11-02", "to": "2020-12-31",
          "settings": { "serviceLevelSeconds": 30, "shortAbandonSeconds": 10, "serviceLevelTargetPercent": 75, "firstContactResolutionTargetPercent": 80 } }
      ],
      "total": {
        "offered": 11, "answered": 9, "abandoned": 2, "shortAbandons": 1, "offeredOutsideHours": 2, "inQueue": 1,
        "answeredWithinServiceLevel": 7, "reachabilityPercent": 81.82, "serviceLevelPercent": 63.64,
        "averageSpeedOfAnswerSeconds": 23.44,
        "outcomes": { "resolved": 3, "appointmentBooked": 1, "referred": 2, "callbackPromised": 2 },
        "outcomePending": 1, "firstContactResolutionPercent": 50.00, "referralRatePercent": 50.00,
        "referralsOpened": 4, "referralsAnsweredWithin24ServiceHours": 2, "referralsAnsweredWithin24ServiceHoursPercent": 50.00,
        "appointmentsBooked": 1, "correctedCalls": 3, "serviceLevelMet": false, "firstContactResolutionMet": false
      },
      "serviceLines": [
        { "code": "buergerbuero",
          "offered": 8, "answered": 7, "abandoned": 1, "shortAbandons": 1, "offeredOutsideHours": 2, "inQueue": 1,
          "answeredWithinServiceLevel": 6, "reachabilityPercent": 87.50, "serviceLevelPercent": 75.00,
          "averageSpeedOfAnswerSeconds": 21.86,
          "outcomes": { "resolved": 3, "appointmentBooked": 1, "referred": 1, "callbackPromised": 1 },
          "outcomePending": 1, "firstContactResolutionPercent": 66.67, "referralRatePercent": 33.33,
          "referralsOpened": 2, "referralsAnsweredWithin24ServiceHours": 1, "referralsAnsweredWithin24ServiceHoursPercent": 50.00,
          "appointmentsBooked": 1, "correctedCalls": 2, "serviceLevelMet": true, "firstContactResolutionMet": false },
        { "code": "ordnungswesen",
          "offered": 3, "answered": 2, "abandoned": 1, "shortAbandons": 0, "offeredOutsideHours": 0, "inQueue": 0,
          "answeredWithinServiceLevel": 1, "reachabilityPercent": 66.67, "serviceLevelPercent": 33.33,
          "averageSpeedOfAnswerSeconds": 29.00,
          "outcomes": { "resolved": 0, "appointmentBooked": 0, "referred": 1, "callbackPromised": 1 },
          "outcomePending": 0, "firstContactResolutionPercent": 0.00, "referralRatePercent": 100.00,
          "referralsOpened": 2, "referralsAnsweredWithin24ServiceHours": 1, "referralsAnsweredWithin24ServiceHoursPercent": 50.00,
          "appointmentsBooked": 0, "correctedCalls": 1, "serviceLevelMet": false, "firstContactResolutionMet": false }
      ],
      "cost": { "feeDue": 29347.83, "perOfferedCall": 2667.98, "perAnsweredCall": 3260.87, "perSettledCall": 7336.96 }
    }
    """)!.AsObject();
}
