using System.Text.Json.Nodes;
using Cooperation.Api.Contracts;
using Cooperation.Api.Tests.Fixtures;
using Cooperation.Api.Tests.Reports;
using Marten;
using Npgsql;

namespace Cooperation.Api.Tests.Contracts;

/// <summary>
/// Opening hours per weekday, in both forms, at signing and as dated changes, and closure days added and removed
/// (domain §2, API Contracts): the reports follow the hours in force on each day.
/// </summary>
public sealed class ServiceCalendarChangeTests(AppFixture fixture) : ReportTest(fixture)
{
    private static readonly string Admin = Tokens.ContractAdmin();

    private static JsonNode Week(string json) => JsonNode.Parse(json)!;

    /// <summary>Mon–Thu 07:30–12:00 and 13:00–16:00, Fri 07:30–12:30, Sat 09:00–12:00.</summary>
    private const string SplitWeek = """
        { "mon": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "tue": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "wed": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "thu": [ { "opens": "13:00", "closes": "16:00" }, { "opens": "07:30", "closes": "12:00" } ],
          "fri": [ { "opens": "07:30", "closes": "12:30" } ],
          "sat": [ { "opens": "09:00", "closes": "12:00" } ] }
        """;

    /// <summary>How the service shows <see cref="SplitWeek"/>: every weekday, each day's intervals in order.</summary>
    private const string SplitWeekShown = """
        { "mon": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "tue": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "wed": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "thu": [ { "opens": "07:30", "closes": "12:00" }, { "opens": "13:00", "closes": "16:00" } ],
          "fri": [ { "opens": "07:30", "closes": "12:30" } ],
          "sat": [ { "opens": "09:00", "closes": "12:00" } ],
          "sun": [] }
        """;

    private const string DefaultShown = """
        { "mon": [ { "opens": "08:00", "closes": "18:00" } ], "tue": [ { "opens": "08:00", "closes": "18:00" } ],
          "wed": [ { "opens": "08:00", "closes": "18:00" } ], "thu": [ { "opens": "08:00", "closes": "18:00" } ],
          "fri": [ { "opens": "08:00", "closes": "18:00" } ], "sat": [], "sun": [] }
        """;

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual?.ToJsonString());

    [Fact]
    public async Task Signing_takes_the_weekly_form_and_shows_it_with_every_weekday()
    {
        var id = await GivenContract(body => body.With("openingHours", Week(SplitWeek)));

        var contract = await Get($"/api/contracts/{id}", Admin);

        AssertJson(SplitWeekShown, contract["openingHours"]);
        AssertJson($$"""[ { "effectiveFrom": "2020-11-02", "hours": {{SplitWeekShown}} } ]""", contract["openingHoursHistory"]);
    }

    [Fact]
    public async Task Signing_in_the_short_form_shows_the_same_hours_in_the_weekly_form()
    {
        var id = await GivenContract();

        AssertJson(DefaultShown, (await Get($"/api/contracts/{id}", Admin))["openingHours"]);
    }

    [Fact]
    public async Task Opening_hours_changed_from_a_day_move_the_figures_of_the_days_from_then_on()
    {
        var id = await GivenContract();
        await Answered(id, "buergerbuero", "2021-03-01T07:45:00+01:00", "2021-03-01T07:45:10+01:00"); // Monday, before the change
        await Answered(id, "buergerbuero", "2021-03-05T14:00:00+01:00", "2021-03-05T14:00:10+01:00"); // Friday afternoon
        await Answered(id, "buergerbuero", "2021-03-06T10:00:00+01:00", "2021-03-06T10:00:10+01:00"); // Saturday morning
        var before = await Report(id, 2021, 1);
        Assert.Equal((1, 2), Counts(before));

        var contract = await Post($"/api/contracts/{id}/opening-hours",
            new JsonObject { ["effectiveFrom"] = "2021-03-03", ["openingHours"] = Week(SplitWeek) }, Admin);

        AssertJson(SplitWeekShown, contract["openingHours"]);
        AssertJson($$"""
            [ { "effectiveFrom": "2020-11-02", "hours": {{DefaultShown}} },
              { "effectiveFrom": "2021-03-03", "hours": {{SplitWeekShown}} } ]
            """, contract["openingHoursHistory"]);
        // Monday 07:45 is still outside the default hours; Friday 14:00 is now outside too, Saturday 10:00 inside.
        Assert.Equal((1, 2), Counts(await Report(id, 2021, 1)));

        // Saturday closed again from the 6th: the call counted is the Saturday one, and it moves outside.
        var closedSaturday = JsonNode.Parse(SplitWeek)!.AsObject();
        closedSaturday.Remove("sat");
        await Post($"/api/contracts/{id}/opening-hours", new JsonObject { ["effectiveFrom"] = "2021-03-06", ["openingHours"] = closedSaturday }, Admin);
        Assert.Equal((0, 3), Counts(await Report(id, 2021, 1)));
    }

    [Fact]
    public async Task The_24_service_hour_clock_runs_on_the_hours_in_force_each_day()
    {
        var id = await GivenContract();
        // Completed Monday 09:00, answered by the department on Thursday at 12:00: Mon 9 h + Tue 10 h + Wed 10 h + Thu 4 h.
        var call = await Answered(id, "buergerbuero", "2021-03-08T08:55:00+01:00", "2021-03-08T08:55:10+01:00");
        await Complete(call, "referred", "2021-03-08T09:00:00+01:00", "ordnungsamt");
        await AnswerReferral(call, "2021-03-08T10:00:00+01:00", "2021-03-11T12:00:00+01:00");
        Assert.Equal(0, (int)(await Report(id, 2021, 1))["total"]!["referralsAnsweredWithin24ServiceHours"]!);

        // Mornings only from Tuesday: Mon 9 h + Tue 4 h + Wed 4 h + Thu 4 h = 21 h.
        await Post($"/api/contracts/{id}/opening-hours", new JsonObject
        {
            ["effectiveFrom"] = "2021-03-09",
            ["openingHours"] = new JsonObject { ["days"] = new JsonArray("mon", "tue", "wed", "thu", "fri"), ["opens"] = "08:00", ["closes"] = "12:00" },
        }, Admin);

        Assert.Equal(1, (int)(await Report(id, 2021, 1))["total"]!["referralsAnsweredWithin24ServiceHours"]!);
    }

    [Fact]
    public async Task Opening_hours_repeated_are_a_success_that_stores_nothing()
    {
        var id = await GivenContract();
        var change = new JsonObject { ["effectiveFrom"] = "2021-03-03", ["openingHours"] = Week(SplitWeek) };
        var first = await Post($"/api/contracts/{id}/opening-hours", change, Admin);
        var before = await Fixture.EventCountAsync();

        // The same week written otherwise: intervals in another order are the same hours.
        var again = await Post($"/api/contracts/{id}/opening-hours",
            new JsonObject { ["effectiveFrom"] = "2021-03-03", ["openingHours"] = Week(SplitWeekShown) }, Admin);

        Assert.Equal(before, await Fixture.EventCountAsync());
        Assert.Equal((int)first["version"]!, (int)again["version"]!);
    }

    [Fact]
    public async Task Closure_days_are_added_and_removed_and_the_report_follows()
    {
        var id = await GivenContract();
        await Answered(id, "buergerbuero", "2021-03-02T10:00:00+01:00", "2021-03-02T10:00:10+01:00");
        var url = $"/api/contracts/{id}/closure-days";

        var added = await Post(url, new JsonObject { ["date"] = "2021-03-02", ["reason"] = "Personalversammlung" }, Admin);

        AssertJson("""["2021-03-02"]""", added["closureDays"]);
        AssertJson("""[ { "date": "2021-03-02", "reason": "Personalversammlung" } ]""", added["closureReasons"]);
        Assert.Equal((0, 1), Counts(await Report(id, 2021, 1)));

        var events = await Fixture.EventCountAsync();
        await Post(url, new JsonObject { ["date"] = "2021-03-02", ["reason"] = "Personalversammlung" }, Admin); // a retry
        Assert.Equal(events, await Fixture.EventCountAsync());
        await Refused(url, new JsonObject { ["date"] = "2021-03-02", ["reason"] = "Betriebsausflug" }, Admin, 409, "reason", "already a closure day");

        var removed = await Post($"{url}/2021-03-02/removal", new JsonObject(), Admin);

        AssertJson("[]", removed["closureDays"]);
        AssertJson("[]", removed["closureReasons"]);
        Assert.Equal((1, 0), Counts(await Report(id, 2021, 1)));
        events = await Fixture.EventCountAsync();
        await Post($"{url}/2021-03-02/removal", new JsonObject(), Admin); // a retry
        Assert.Equal(events, await Fixture.EventCountAsync());
        await Refused($"{url}/2021-03-03/removal", "{}", Admin, 404, "date", "not a closure day");
    }

    private static (int Answered, int Outside) Counts(JsonObject report) =>
        ((int)report["total"]!["answered"]!, (int)report["total"]!["offeredOutsideHours"]!);

    [Theory]
    [InlineData("""{"openingHours":{"days":["mon"]}}""", "effectiveFrom", "must not be empty")]
    [InlineData("""{"effectiveFrom":"2021-03-01"}""", "openingHours", "must not be empty")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{}}""", "openingHours", "must give the hours")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"days":["mon"],"tue":[{"opens":"08:00","closes":"12:00"}]}}""", "openingHours.days", "not both")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"08:00","closes":"12:00"},{"opens":"11:30","closes":"14:00"}]}}""", "openingHours.mon", "overlap")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"12:00","closes":"08:00"}]}}""", "openingHours.mon[0].closes", "before 'closes'")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"12:00"}]}}""", "openingHours.mon[0].closes", "must not be empty")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[null]}}""", "openingHours.mon[0]", "not null")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"7:30","closes":"12:00"}]}}""", "openingHours.mon[0].opens", null)]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":{"opens":"07:30","closes":"12:00"}}}""", "openingHours.mon", null)]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"opens":"18:00"}}""", "openingHours.closes", "before 'closes'")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"days":[]}}""", "openingHours.days", "at least one day")]
    public async Task Opening_hours_with_bad_input_are_rejected_with_400(string json, string field, string? rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/opening-hours", json, Admin, 400, field, rule);
    }

    // A weekday left out is closed, so a member the service does not know must not pass as one left out.
    [Theory]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"08:00","closes":"12:00"}],"saturday":[{"opens":"09:00","closes":"12:00"}]}}""", "saturday")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"08:00","closes":"12:00","until":"13:00"}]}}""", "until")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"08:00","closes":"12:00"}],"mon":[{"opens":"09:00","closes":"12:00"}]}}""", "mon")]
    [InlineData("""{"effectiveFrom":"2021-03-01","openingHours":{"mon":[{"opens":"08:00","closes":"12:00"}],"Mon":[{"opens":"09:00","closes":"12:00"}]}}""", "mon")]
    public async Task Opening_hours_with_an_unknown_or_repeated_member_are_rejected_with_400(string json, string field)
    {
        var id = await GivenContract();

        var problem = await Refused($"/api/contracts/{id}/opening-hours", json, Admin, 400);

        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Signing_with_a_misspelt_weekday_is_rejected_not_taken_for_the_defaults()
    {
        var problem = await Refused("/api/contracts", ContractRequests.Sign(UniqueId("contract"))
            .With("openingHours", Week("""{ "monday": [ { "opens": "07:30", "closes": "16:00" } ] }""")), Admin, 400);

        Assert.Contains("monday", problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task The_report_as_known_before_a_calendar_change_counts_on_the_calendar_of_then()
    {
        var id = await GivenContract();
        await Answered(id, "buergerbuero", "2021-03-02T10:00:00+01:00", "2021-03-02T10:00:10+01:00");
        await Fixture.ProjectionsCaughtUpAsync();
        var before = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(50);

        await Post($"/api/contracts/{id}/closure-days", new JsonObject { ["date"] = "2021-03-02" }, Admin);

        Assert.Equal((0, 1), Counts(await Report(id, 2021, 1)));
        Assert.Equal((1, 0), Counts(await Report(id, 2021, 1, asOf: before)));
    }

    [Fact]
    public async Task A_day_may_list_at_most_eight_intervals()
    {
        var id = await GivenContract();
        var nine = new JsonArray([.. Enumerable.Range(8, 9).Select(h => (JsonNode)new JsonObject { ["opens"] = $"{h:00}:00", ["closes"] = $"{h:00}:30" })]);

        await Refused($"/api/contracts/{id}/opening-hours",
            new JsonObject { ["effectiveFrom"] = "2021-03-01", ["openingHours"] = new JsonObject { ["wed"] = nine } }, Admin, 400, "openingHours.wed", "at most 8");
    }

    [Theory]
    [InlineData("""{"reason":"Betriebsausflug"}""", "date", "must not be empty")]
    [InlineData("""{"date":"2021-03-02","reason":"  "}""", "reason", "blank")]
    [InlineData("""{"date":"2021-3-2"}""", "date", null)]
    public async Task Closure_days_with_bad_input_are_rejected_with_400(string json, string field, string? rule)
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/closure-days", json, Admin, 400, field, rule);
    }

    [Fact]
    public async Task A_closure_day_in_the_path_is_a_date_and_within_the_term()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/closure-days/2021-3-2/removal", "{}", Admin, 400, "date", "yyyy-MM-dd");
        await Refused($"/api/contracts/{id}/closure-days", """{"date":"2020-11-01"}""", Admin, 409, "date", "predate");
        await Refused($"/api/contracts/{id}/opening-hours", """{"effectiveFrom":"2020-11-01","openingHours":{"days":["mon"]}}""", Admin, 409, "effectiveFrom", "predate");
    }

    [Fact]
    public async Task Only_a_contract_admin_of_a_party_changes_the_calendar()
    {
        var id = await GivenContract();

        await Refused($"/api/contracts/{id}/closure-days", """{"date":"2021-03-02"}""", Finance, 403);
        await Refused($"/api/contracts/{id}/closure-days", """{"date":"2021-03-02"}""", Tokens.For("contract-admin", "dortmund"), 404);
        await Refused($"/api/contracts/{id}/opening-hours", """{"effectiveFrom":"2021-03-02","openingHours":{"days":["mon"]}}""", Auditor, 403);
    }

    [Fact]
    public async Task A_contract_stored_with_opening_hours_in_the_short_form_still_reads_and_changes()
    {
        var id = await GivenContract();
        // As contracts were stored before the weekly form existed: the short form, times with seconds, enum names as stored.
        const string legacy = """{"days": ["Mon", "Tue", "Wed"], "opens": "08:00:00", "closes": "12:00:00"}""";
        await using (var connection = new NpgsqlConnection(Fixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($$"""
                update {{Fixture.Schema}}.mt_events set data = jsonb_set(data, '{openingHours}', @legacy::jsonb) where stream_id = @key and version = 1;
                update {{Fixture.Schema}}.mt_doc_contract set data = jsonb_set(data, '{openingHours}', @legacy::jsonb) where id = @key;
                """, connection);
            command.Parameters.AddWithValue("legacy", legacy);
            command.Parameters.AddWithValue("key", $"contract:{id}");
            await command.ExecuteNonQueryAsync();
        }

        var expected = OpeningHours.Same([Weekday.Mon, Weekday.Tue, Weekday.Wed], new TimeOnly(8, 0), new TimeOnly(12, 0));
        await using (var session = Fixture.Store.QuerySession())
        {
            var signed = Assert.IsType<ContractSigned>((await session.Events.FetchStreamAsync($"contract:{id}"))[0].Data);
            Assert.Equal(expected, signed.OpeningHours);
            Assert.Equal(expected, (await session.LoadAsync<Contract>($"contract:{id}"))!.OpeningHours);
        }

        var asSigned = await Get($"/api/contracts/{id}?version=1", Admin);
        AssertJson("""
            { "mon": [ { "opens": "08:00", "closes": "12:00" } ], "tue": [ { "opens": "08:00", "closes": "12:00" } ],
              "wed": [ { "opens": "08:00", "closes": "12:00" } ], "thu": [], "fri": [], "sat": [], "sun": [] }
            """, asSigned["openingHours"]);
    }

    [Fact]
    public async Task Racing_repeats_and_conflicting_calendar_changes_store_exactly_what_was_acknowledged()
    {
        var id = await GivenContract();
        var url = $"/api/contracts/{id}";
        var before = await Fixture.EventCountAsync();

        // The same closure day four times at once, then four times at once with another reason: stored once, the
        // racing repeats 200, the other reason 409.
        var sameDay = (await Racing($"{url}/closure-days", """{"date":"2021-03-02","reason":"Personalversammlung"}""", Admin, 4))
            .Concat(await Racing($"{url}/closure-days", """{"date":"2021-03-02","reason":"Betriebsausflug"}""", Admin, 4)).ToList();
        // The same hours from one day, eight times at once: stored once.
        var hours = await Racing($"{url}/opening-hours", $$"""{"effectiveFrom":"2021-04-01","openingHours":{{SplitWeek}}}""", Admin, 8);

        Assert.All(sameDay.Concat(hours), r => Assert.Contains(r.Context.Response.StatusCode, new[] { 200, 409 }));
        Assert.All(hours, r => Assert.Equal(200, r.Context.Response.StatusCode));
        var contract = await Get(url, Admin);
        var reason = (string)contract["closureReasons"]![0]!["reason"]!;
        var winners = reason == "Personalversammlung" ? sameDay.Take(4) : sameDay.Skip(4);
        var losers = reason == "Personalversammlung" ? sameDay.Skip(4) : sameDay.Take(4);
        Assert.All(winners, r => Assert.Equal(200, r.Context.Response.StatusCode));
        Assert.All(losers, r => Assert.Equal(409, r.Context.Response.StatusCode));
        Assert.Equal(2, await Fixture.EventCountAsync() - before); // one closure day, one change of hours
        Assert.Equal(2, ((JsonArray)contract["openingHoursHistory"]!).Count);
    }
}
