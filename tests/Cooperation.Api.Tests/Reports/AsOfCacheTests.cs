using Cooperation.Api.Tests.Fixtures;
using Npgsql;

namespace Cooperation.Api.Tests.Reports;

/// <summary>
/// A report as known at a settled instant is kept and served again as kept (ADR 16); the tests settle an instant
/// after 2 s (<c>Cooperation__AsOfSettled</c>) instead of a minute.
/// </summary>
public class AsOfCacheTests(AppFixture fixture) : ReportTest(fixture)
{
    [Fact]
    public async Task A_report_as_known_at_a_settled_instant_is_kept_and_served_again_as_kept()
    {
        var contract = await GivenContract();
        await Answered(contract, "buergerbuero", "2021-03-01T09:00:00+01:00", "2021-03-01T09:00:05+01:00");
        await Fixture.ProjectionsCaughtUpAsync();
        var asOf = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
        await Answered(contract, "buergerbuero", "2021-03-02T09:00:00+01:00", "2021-03-02T09:00:05+01:00"); // recorded after the instant

        // Not yet settled: computed, not kept. Asked at once (the report helper would first wait for the projection,
        // which on a busy run can take longer than the instant needs to settle).
        var unsettled = (await Get($"/api/reports/quarterly/{contract}/2021/1?asOf={Uri.EscapeDataString(asOf)}", Auditor)).AsObject();
        Assert.Equal(1, (int)unsettled["total"]!["answered"]!);
        Assert.Equal(0, await KeptAsync(contract));

        // Wall-clock time for the instant to settle, not a wait for the projection. A transaction of another test that
        // began before the instant and is still open keeps it unsettled a little longer: ask again then.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var first = await Report(contract, 2021, 1, asOf, Auditor);
        for (var attempt = 0; attempt < 20 && await KeptAsync(contract) == 0; attempt++)
        {
            await Task.Delay(500);
            first = await Report(contract, 2021, 1, asOf, Auditor);
        }

        Assert.Equal(1, (int)first["total"]!["answered"]!);
        Assert.Equal(1, await KeptAsync(contract));

        // What is served again is what was kept: mark the kept report, ask again.
        await ExecuteAsync($"update {Fixture.Schema}.co_report_asof set report = jsonb_set(report, '{{total,answered}}', '99') where contract_id = @contract", contract);
        var again = await Report(contract, 2021, 1, asOf, Auditor);
        Assert.Equal(99, (int)again["total"]!["answered"]!);
        Assert.Equal((string)first["asOf"]!, (string)again["asOf"]!); // the instant as the caller wrote it
        Assert.Equal(2, (int)(await Report(contract, 2021, 1, null, Auditor))["total"]!["answered"]!);
    }

    private async Task<long> KeptAsync(string contract)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"select count(*) from {Fixture.Schema}.co_report_asof where contract_id = @contract", connection);
        count.Parameters.AddWithValue("contract", contract);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql, string contract)
    {
        await using var connection = new NpgsqlConnection(Fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("contract", contract);
        await command.ExecuteNonQueryAsync();
    }
}
