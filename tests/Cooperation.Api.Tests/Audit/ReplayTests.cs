using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.Audit;

/// <summary>
/// Replay for auditors (issue 13, item 5): every state the API shows can be read as of a version and as of an instant,
/// and agrees with the stream's history: as of the instant an event was recorded, the state is at that event's version.
/// </summary>
public sealed class ReplayTests(AppFixture fixture) : AuditTest(fixture)
{
    [Fact]
    public async Task Every_stream_read_as_of_each_event_of_its_history_is_at_that_events_version()
    {
        var streams = await GivenOneStreamOfEachKind();

        foreach (var stream in streams.Values)
        {
            var state = StateOf(stream);
            var events = (await Get($"/api/streams/{stream}/events", Auditor))["events"]!.AsArray();
            Assert.True(events.Count >= 2, stream);
            foreach (var e in events)
            {
                var version = (long)e!["version"]!;
                var recorded = Uri.EscapeDataString((string)e["recordedAt"]!);

                Assert.Equal(version, (long)(await Get($"{state}?version={version}", Auditor))["version"]!);
                Assert.Equal(version, (long)(await Get($"{state}?asOf={recorded}", Auditor))["version"]!);
            }

            Assert.Equal(events.Count, (int)(await Get(state, Auditor))["version"]!);
        }
    }

    [Fact]
    public async Task A_version_past_the_end_or_an_instant_before_the_start_is_404_and_a_bad_one_400()
    {
        var streams = await GivenOneStreamOfEachKind();

        foreach (var state in streams.Values.Select(StateOf))
        {
            await RefusedGet($"{state}?version=99", Auditor, 404);
            await RefusedGet($"{state}?asOf=2001-01-01T00:00:00Z", Auditor, 404);
            await RefusedGet($"{state}?version=zero", Auditor, 400, "version");
            await RefusedGet($"{state}?asOf=yesterday", Auditor, 400, "asOf");
        }
    }
}
