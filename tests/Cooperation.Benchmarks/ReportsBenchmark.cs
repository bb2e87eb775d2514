using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Cooperation.Api.Calls;
using Cooperation.Api.Demo;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Benchmarks;

/// <summary>
/// The quarterly report at scale: a provider with four client contracts, one of them with <c>--calls</c> calls in one
/// quarter, sent through the bulk import in chunks, then corrected and worked over the live endpoints. Once the report
/// is current: the report as JSON and as CSV and, as a baseline of the same service, one contract, each read by 32
/// clients while a few others record live calls; the report as of an instant; the rebuild of the reports' projection
/// beside a plain read of the same events; the service's peak memory. With <c>--sizes</c>, ingestion and rebuild again
/// at each number of stored events.
/// </summary>
public static class ReportsBenchmark
{
    public const int Concurrency = 32;
    public const int LiveClients = 4;
    private const int FollowUpWorkers = 8;
    private const int ChunkLines = 50_000;
    private const int TopUpCallsPerQuarter = 250_000;
    private const string ContractsFrom = "2020-11-02";
    private static readonly Quarter Measured = new(2022, 1);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);

    /// <summary>Even traffic: no season, the default staffing, two in five referrals worked; ids by client, day and number.</summary>
    private static readonly TrafficShape Shape = new() { CallId = (contract, day, n) => $"rpt-{contract.Client}-{day:yyyyMMdd}-{n:00000}" };

    /// <summary>
    /// The data: <c>Calls</c> in the measured contract's quarter, <c>OtherCalls</c> on the other contracts in the same
    /// quarter, the <c>Lines</c> and <c>Events</c> the import stored in <c>Import</c>, then the corrections and the
    /// referrals' steps sent one by one, and how many lines or requests failed.
    /// </summary>
    public sealed record DataFigures(
        int Calls, int OtherCalls, int OtherContracts, long Lines, long Events, TimeSpan Import, int Corrections, int ReferralSteps, long Failed)
    {
        public double EventsPerSecond => Events / Import.TotalSeconds;
    }

    /// <summary>One load's window: the reads measured, and the live writes that ran beside them.</summary>
    public sealed record Window(LoadResult Reads, LoadResult Writes);

    /// <summary>At a number of stored events: what this phase's import added since the last step and took, and a rebuild.</summary>
    public sealed record SizeStep(long Events, long Ingested, TimeSpan Ingesting, ProjectionRebuild.Figures Rebuild)
    {
        public double IngestMicrosecondsPerEvent => Ingested == 0 ? double.NaN : Ingesting.TotalMicroseconds / Ingested;
    }

    public sealed record Figures(
        string ContractId,
        DataFigures Data,
        TimeSpan CurrentAfter,
        Window Json,
        Window Csv,
        Window Contract,
        TimeSpan AsOfFirst,
        TimeSpan AsOfRepeated,
        bool AsOfAgrees,
        MemoryFigures Memory,
        bool MemoryReset,
        ProjectionRebuild.Figures Rebuild,
        IReadOnlyList<SizeStep> Sizes,
        bool Ok);

    /// <summary>The provider's client contracts: the first is measured; the others get a twentieth of its calls each.</summary>
    public static IReadOnlyList<TrafficContract> Contracts(int calls) =>
    [
        new("rpt-bochum-herne", "herne", ["buergerbuero", "ordnungswesen"], calls),
        new("rpt-bochum-witten", "witten", ["buergerbuero"], Math.Max(1, calls / 20)),
        new("rpt-bochum-hattingen", "hattingen", ["buergerbuero", "ordnungswesen"], Math.Max(1, calls / 20)),
        new("rpt-bochum-sprockhoevel", "sprockhoevel", ["buergerbuero"], Math.Max(1, calls / 20)),
    ];

    public static async Task<Figures> RunAsync(
        ServiceProcess service, string connectionString, string schema, string liveContractId, BenchmarkOptions options)
    {
        var memoryReset = service.ResetPhaseMemory();
        var contracts = Contracts(options.Calls);
        var measured = contracts[0];
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency + LiveClients + 2 };
        using var acd = Client(handler, service, Tokens.For(Roles.ServiceCentre, "bochum", "acd"));
        foreach (var contract in contracts)
        {
            await Benchmark.SignAsync(acd, ContractRequests.Sign(contract.ContractId, "bochum", contract.Client)
                .With("serviceLines", new JsonArray([.. contract.ServiceLines.Select(ServiceLine)])));
        }

        Console.WriteLine($"Signed {contracts.Count} contracts of provider bochum: {string.Join(", ", contracts.Select(c => $"{c.ContractId} ({string.Join('+', c.ServiceLines)})"))}");

        // The quarter's traffic: the export through the bulk import, what follows later one request at a time.
        var corrections = new List<(string CallId, CorrectCall Correction)>();
        var work = new List<ReferralWork>();
        var ingestion = new Ingestion(service, acd, connectionString, schema, options.Sizes);
        await ingestion.StartAsync();
        var import = await ingestion.RunAsync(CallTraffic.Generate(contracts, Measured, options.Seed, Shape).Select(call =>
        {
            if (call.Correction is { } correction)
            {
                corrections.Add((call.Record.CallId!, correction));
            }

            if (call.Referral is { } referral)
            {
                work.Add(referral);
            }

            return call.Record;
        }), $"{Measured} import", untilSizes: false);
        var (steps, failedSteps) = await FollowUpsAsync(acd, corrections, work);
        var lastWrite = Stopwatch.StartNew();
        var data = new DataFigures(measured.Calls, contracts.Skip(1).Sum(c => c.Calls), contracts.Count - 1,
            import.Lines, import.Events, import.Elapsed, corrections.Count, steps - corrections.Count, import.Failed + failedSteps);

        // An instant after every write of the data: the report as of it must be the report now.
        var asOf = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var report = $"/api/reports/quarterly/{measured.ContractId}/{Measured.Year}/{Measured.Number}";
        using var finance = Client(handler, service, Tokens.For(Roles.Finance, "bochum", "finance"));
        var currentAfter = await WaitUntilCurrentAsync(finance, report, lastWrite, connectionString, schema);
        var (now, agrees) = await ShowReportAsync(finance, report, measured);

        using var writer = Client(handler, service, Tokens.For(Roles.ServiceCentre, "bochum", "acd"));
        long liveCalls = 0;
        async Task<Window> MeasureAsync(string label, Func<HttpRequestMessage> request)
        {
            var cpu = service.MeasureCpu();
            var reads = LoadRun.RunAsync($"{label}, c={Concurrency}", Concurrency, options.WarmUp, options.Duration,
                _ => () => Requests.SendAsync(finance, request()));
            var writes = LoadRun.RunAsync($"{label}: live writes beside, c={LiveClients}", LiveClients, options.WarmUp, options.Duration,
                _ => new LiveBenchmark.VirtualClient(writer, liveContractId, "beside-reports", () => Interlocked.Increment(ref liveCalls)).NextAsync);
            var window = new Window(await reads, await writes);
            LiveBenchmark.Report($"{label}, c={Concurrency}", "requests", window.Reads, cpu);
            LiveBenchmark.Report($"  live writes beside it, c={LiveClients}", "requests", window.Writes, null);
            return window;
        }

        Console.WriteLine($"Phase: reports under load, {options.Seconds} s each after {options.WarmUp.TotalSeconds:F0} s of warm-up");
        var json = await MeasureAsync("report JSON", () => new HttpRequestMessage(HttpMethod.Get, report));
        var csv = await MeasureAsync("report CSV", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, report);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
            return request;
        });
        var contractRead = await MeasureAsync("one contract (baseline)", () => new HttpRequestMessage(HttpMethod.Get, $"/api/contracts/{measured.ContractId}"));

        // Reports as known at an instant are kept once the instant is settled (ADR 16): ask when it is.
        var settled = asOf + Cooperation.Api.Reports.AsOfCache.Settled + TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow;
        if (settled > TimeSpan.Zero)
        {
            Console.WriteLine($"Waiting {settled.TotalSeconds:F0} s until the as-of instant is settled");
            await Task.Delay(settled);
        }

        var asOfText = asOf.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var asOfUrl = $"{report}?asOf={Uri.EscapeDataString(asOfText)}";
        var (first, firstTotal) = await TimedGetAsync(finance, asOfUrl);
        var (repeated, _) = await TimedGetAsync(finance, asOfUrl);
        var asOfAgrees = JsonNode.DeepEquals(firstTotal, now);
        Console.WriteLine($"""
            Report as of {asOfText} (after the data's last write)
              first request       {first.TotalSeconds:F2} s
              repeated            {repeated.TotalSeconds:F2} s
              its total the same as the report now: {(asOfAgrees ? "yes" : "NO")}
            """);

        var memory = service.PhaseMemory();
        Console.WriteLine($"Service memory in this phase: {memory}{(memoryReset ? string.Empty : " (VmHWM could not be reset: the service's whole life)")}");
        var rebuild = await ProjectionRebuild.RunAsync(service, connectionString, schema, async () =>
        {
            using var response = await finance.GetAsync(report);
            return response.IsSuccessStatusCode && JsonNode.DeepEquals(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["total"], now);
        });

        if (ingestion.SizesLeft)
        {
            await ingestion.RunAsync(TopUps(contracts, options), "top-up", untilSizes: true);
        }

        var ok = data.Failed == 0 && agrees && asOfAgrees && rebuild.Ok && rebuild.ReadsWrong == 0 && ingestion.Steps.All(s => s.Rebuild.Ok) && !ingestion.SizesLeft &&
            new[] { json, csv, contractRead }.All(w => w.Reads.Failed == 0 && w.Writes.Failed == 0);
        return new Figures(measured.ContractId, data, currentAfter, json, csv, contractRead, first, repeated, asOfAgrees,
            memory, memoryReset, rebuild, ingestion.Steps, ok);
    }

    private static HttpClient Client(SocketsHttpHandler handler, ServiceProcess service, string token)
    {
        var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = service.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static JsonObject ServiceLine(string code) => new()
    {
        ["code"] = code,
        ["name"] = code == "buergerbuero" ? "Bürgerbüro" : "Ordnungswesen",
        ["from"] = ContractsFrom,
    };

    /// <summary>The quarters after the measured one up to the last that has ended, each with the measured contract's calls or 250,000, whichever is more.</summary>
    private static IEnumerable<CallRecord> TopUps(IReadOnlyList<TrafficContract> contracts, BenchmarkOptions options)
    {
        var perQuarter = contracts.Select(c => c with { Calls = c.Calls * Math.Max(1, TopUpCallsPerQuarter / contracts[0].Calls) }).ToList();
        for (var quarter = Measured.Next; quarter.LastDay < DateOnly.FromDateTime(DateTime.UtcNow); quarter = quarter.Next)
        {
            foreach (var call in CallTraffic.Generate(perQuarter, quarter, options.Seed + quarter.Year * 10 + quarter.Number, Shape))
            {
                yield return call.Record;
            }
        }
    }

    /// <summary>
    /// The corrections (service centre) and the referrals' steps (the client's department: accepted, then answered
    /// or returned), <see cref="FollowUpWorkers"/> at a time; the requests sent and how many failed.
    /// </summary>
    private static async Task<(int Requests, long Failed)> FollowUpsAsync(
        HttpClient http, IReadOnlyList<(string CallId, CorrectCall Correction)> corrections, IReadOnlyList<ReferralWork> work)
    {
        var acd = http.DefaultRequestHeaders.Authorization!;
        var departments = work.Select(w => w.Client).Distinct()
            .ToDictionary(c => c, c => new AuthenticationHeaderValue("Bearer", Tokens.For(Roles.Department, c, $"fachstelle-{c}")));
        Task<string?> Post<T>(AuthenticationHeaderValue token, string url, T body)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: ApiJson.Options) };
            request.Headers.Authorization = token;
            return Requests.SendAsync(http, request);
        }

        var requests = corrections.Select(c => (Requests: 1, Send: (Func<Task<string?>>)(() => Post(acd, $"/api/calls/{c.CallId}/corrections", c.Correction))))
            .Concat(work.Select(w => (Requests: 2, Send: (Func<Task<string?>>)(async () =>
            {
                var department = departments[w.Client];
                return await Post(department, $"/api/referrals/{w.ReferralId}/accepted", new AcceptReferral(w.AcceptedAt))
                    ?? (w.AnsweredAt is { } answered
                        ? await Post(department, $"/api/referrals/{w.ReferralId}/answered", new AnswerReferral(answered))
                        : await Post(department, $"/api/referrals/{w.ReferralId}/returned", new ReturnReferral(w.ReturnedAt, "Nicht zuständig: bitte an das Kreishaus")));
            }))))
            .ToList();
        var total = requests.Sum(r => r.Requests);
        Console.WriteLine($"Live follow-ups: {corrections.Count:N0} corrections, {work.Count:N0} referrals worked ({total:N0} requests, {FollowUpWorkers} at a time)");
        var watch = Stopwatch.StartNew();
        long done = 0, failed = 0;
        using var progress = new Timer(_ => Console.WriteLine($"  follow-ups: {Interlocked.Read(ref done):N0} of {requests.Count:N0}, {watch.Elapsed.TotalSeconds:F0} s"),
            null, ProgressEvery, ProgressEvery);
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = FollowUpWorkers }, async (request, _) =>
        {
            if (await request.Send() is { } failure && Interlocked.Increment(ref failed) <= 5)
            {
                Console.WriteLine($"  failed: {failure}");
            }

            Interlocked.Increment(ref done);
        });
        Console.WriteLine($"  follow-ups: {requests.Count:N0} in {watch.Elapsed.TotalSeconds:F1} s ({total / watch.Elapsed.TotalSeconds:N0} requests/s), {failed} failed");
        return (total, failed);
    }

    /// <summary>
    /// Asks for the report until it is current with the last event stored when the wait began (the service's own
    /// <c>latestSequence</c> is the daemon's high-water mark, which may trail the last write by a moment).
    /// </summary>
    private static async Task<TimeSpan> WaitUntilCurrentAsync(HttpClient http, string report, Stopwatch sinceLastWrite, string connectionString, string schema)
    {
        var stored = await ImportBenchmark.ScalarAsync(connectionString, $"select coalesce(max(seq_id), 0) from {schema}.mt_events");
        var shown = TimeSpan.Zero;
        while (true)
        {
            using var response = await http.GetAsync(report);
            if (response.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // The reports' first build is still catching up with the import: no figures until it has.
                await Task.Delay(500);
                if (sinceLastWrite.Elapsed > TimeSpan.FromMinutes(30))
                {
                    throw new TimeoutException("The reports had no figures within 30 minutes.");
                }

                continue;
            }

            response.EnsureSuccessStatusCode();
            var current = (await response.Content.ReadFromJsonAsync<JsonNode>())!["current"]!;
            var (upTo, latest) = ((long)current["upToSequence"]!, (long)current["latestSequence"]!);
            if (upTo >= latest && upTo >= stored)
            {
                Console.WriteLine($"Report current {sinceLastWrite.Elapsed.TotalSeconds:F1} s after the last write (up to event {upTo:N0})");
                return sinceLastWrite.Elapsed;
            }

            if (sinceLastWrite.Elapsed > TimeSpan.FromMinutes(30))
            {
                throw new TimeoutException($"The report was not current within 30 minutes (up to event {upTo:N0} of {latest:N0}).");
            }

            if (sinceLastWrite.Elapsed - shown >= ProgressEvery)
            {
                Console.WriteLine($"  report: current up to event {upTo:N0} of {latest:N0}, {sinceLastWrite.Elapsed.TotalSeconds:F0} s");
                shown = sinceLastWrite.Elapsed;
            }

            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Prints the report's totals; its total, and whether it accounts for every call of the measured contract (offered,
    /// which leaves out short abandons, plus short abandons, calls outside the opening hours and calls in the queue).
    /// </summary>
    private static async Task<(JsonNode? Total, bool Agrees)> ShowReportAsync(HttpClient http, string report, TrafficContract measured)
    {
        var (elapsed, total) = await TimedGetAsync(http, report);
        string Figure(string name) => total?[name]?.ToJsonString() ?? "?";
        var counted = new[] { "offered", "shortAbandons", "offeredOutsideHours", "inQueue" }.Sum(name => total?[name]?.GetValue<long>() ?? 0);
        Console.WriteLine($"""
            Report {report} ({elapsed.TotalSeconds:F2} s), total:
              offered {Figure("offered")}, answered {Figure("answered")}, abandoned {Figure("abandoned")}, short abandons {Figure("shortAbandons")}, outside hours {Figure("offeredOutsideHours")}, in queue {Figure("inQueue")}: {counted:N0} of the {measured.Calls:N0} calls sent
              service level {Figure("serviceLevelPercent")} %, average speed of answer {Figure("averageSpeedOfAnswerSeconds")} s, outcomes {Figure("outcomes")}, pending {Figure("outcomePending")}
              referrals {Figure("referralsOpened")}, answered within 24 service hours {Figure("referralsAnsweredWithin24ServiceHours")} ({Figure("referralsAnsweredWithin24ServiceHoursPercent")} %), corrected calls {Figure("correctedCalls")}
            """);
        if (counted != measured.Calls)
        {
            Console.WriteLine($"  the report accounts for {counted:N0} calls, not the {measured.Calls:N0} sent");
        }

        return (total, counted == measured.Calls);
    }

    /// <summary>One GET of a report, timed to its last byte, and the report's total.</summary>
    private static async Task<(TimeSpan Elapsed, JsonNode? Total)> TimedGetAsync(HttpClient http, string url)
    {
        var watch = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        var elapsed = watch.Elapsed;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}: {body}");
        }

        return (elapsed, JsonNode.Parse(body)!["total"]);
    }

    /// <summary>
    /// Call records sent to the bulk import in chunks of at most 50,000 lines, each streamed; the chunk before a
    /// size of <c>--sizes</c> is cut so that the store reaches that size, and there the projection is rebuilt.
    /// </summary>
    private sealed class Ingestion(ServiceProcess service, HttpClient http, string connectionString, string schema, IReadOnlyList<long> sizes)
    {
        private readonly Queue<long> sizesLeft = new(sizes);
        private long stored;
        private long stepEvents;
        private TimeSpan stepTime;
        private long lines;
        private long events;

        public List<SizeStep> Steps { get; } = [];

        public bool SizesLeft => sizesLeft.Count > 0;

        public sealed record Totals(long Lines, long Events, TimeSpan Elapsed, long Failed);

        public async Task StartAsync()
        {
            stored = await StoredAsync();
            await StepsDueAsync();
        }

        /// <summary>Sends the records (all of them, or with <paramref name="untilSizes"/> only until the last size is reached).</summary>
        public async Task<Totals> RunAsync(IEnumerable<CallRecord> records, string label, bool untilSizes)
        {
            using var source = records.GetEnumerator();
            var more = source.MoveNext();
            IEnumerable<CallRecord> Chunk(int count)
            {
                for (var i = 0; i < count && more; i++)
                {
                    yield return source.Current;
                    more = source.MoveNext();
                }
            }

            var totals = new Totals(0, 0, TimeSpan.Zero, 0);
            for (var chunk = 1; more && (!untilSizes || SizesLeft); chunk++)
            {
                // Until a size is reached, as many lines as its events take at the events per line seen so far, and 1 % more
                // (a few events past the size rather than a last chunk of a handful of lines).
                var count = SizesLeft
                    ? (int)Math.Clamp(Math.Ceiling((sizesLeft.Peek() - stored) / (lines == 0 ? 3.4 : (double)events / lines) * 1.01) + 10, 1, ChunkLines)
                    : ChunkLines;
                var before = stored;
                // A token lives an hour; with --sizes this can take longer.
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.For(Roles.ServiceCentre, "bochum", "acd"));
                var pass = await ImportBenchmark.ImportAsync(http, Chunk(count), $"{label}, chunk {chunk}");
                stored = await StoredAsync();
                var result = pass.Result;
                Console.WriteLine($"  {label}, chunk {chunk}: {result.Lines:N0} lines in {pass.Elapsed.TotalSeconds:F1} s " +
                    $"({result.Accepted:N0} accepted, {result.Duplicates:N0} duplicates, {result.RejectedCount:N0} rejected); {stored:N0} events stored");
                ImportBenchmark.PrintRejected(result);

                lines += result.Lines;
                events += stored - before;
                stepEvents += stored - before;
                stepTime += pass.Elapsed;
                totals = new Totals(totals.Lines + result.Lines, totals.Events + stored - before, totals.Elapsed + pass.Elapsed,
                    totals.Failed + result.RejectedCount + result.Duplicates);
                await StepsDueAsync();
            }

            if (untilSizes && SizesLeft)
            {
                Console.WriteLine($"  the ended quarters hold too few calls for {string.Join(", ", sizesLeft.Select(s => $"{s:N0}"))} events: not measured");
            }

            Console.WriteLine($"{label}: {totals.Lines:N0} lines, {totals.Events:N0} events in {totals.Elapsed.TotalSeconds:F1} s, " +
                $"{totals.Events / totals.Elapsed.TotalSeconds:N0} events/s; {totals.Failed:N0} lines not stored");
            return totals;
        }

        /// <summary>Once the store holds a size of <c>--sizes</c> (or more): what ingesting took since the last step, and a rebuild.</summary>
        private async Task StepsDueAsync()
        {
            if (!SizesLeft || stored < sizesLeft.Peek())
            {
                return;
            }

            while (SizesLeft && stored >= sizesLeft.Peek())
            {
                sizesLeft.Dequeue();
            }

            Console.WriteLine($"Size step: {stored:N0} events stored; this phase's import added {stepEvents:N0} of them in {stepTime.TotalSeconds:F1} s");
            Steps.Add(new SizeStep(stored, stepEvents, stepTime, await ProjectionRebuild.RunAsync(service, connectionString, schema)));
            (stepEvents, stepTime) = (0, TimeSpan.Zero);
        }

        private Task<long> StoredAsync() => ImportBenchmark.ScalarAsync(connectionString, $"select count(*) from {schema}.mt_events");
    }
}
