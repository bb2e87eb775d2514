using System.Collections.Concurrent;
using System.Text.Json;
using Cooperation.Api.Contracts;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Api.Reports;

/// <summary>
/// The written answer of a report now, kept per contract, quarter and format until the contract, the serving
/// generation or how far it is current moves (ADR 16): readers asking between two batches of the projection get
/// the same bytes without composing and writing them again.
/// </summary>
public static class ReportAnswers
{
    private const int MaxKept = 10_000;

    private static readonly ConcurrentDictionary<(string Contract, Quarter Quarter, bool Csv), (Stamp Stamp, byte[] Answer)> Kept = new();

    private readonly record struct Stamp(long ContractVersion, int? Generation, ReportCurrency Current);

    public static byte[] Now(Contract contract, Quarter quarter, ReportTallies tallies, bool csv)
    {
        if (tallies.Missing)
        {
            throw new ReportsBehindException(tallies.Current);
        }

        // Composed under the contract the tallies were counted under, so settings, targets and counts agree.
        contract = tallies.Counted ?? contract;

        var stamp = new Stamp(contract.Version, tallies.Generation, tallies.Current);
        var key = (contract.ContractId, quarter, csv);
        if (Kept.TryGetValue(key, out var kept) && kept.Stamp == stamp)
        {
            return kept.Answer;
        }

        var line = quarter.ToString();
        var report = QuarterlyReport.Compose(contract, quarter, tallies.Lines(line).ToDictionary(l => l, l => tallies.Of(line, l)), null, tallies.Current);
        var answer = csv ? ReportCsv.Write(report) : JsonSerializer.SerializeToUtf8Bytes(report, ApiJson.Options);
        if (Kept.Count >= MaxKept)
        {
            Kept.Clear(); // a crude bound: far more contract-quarters than any provider asks for at once
        }

        Kept[key] = (stamp, answer);
        return answer;
    }
}
