using Cooperation.Api.Infrastructure;
using System.Diagnostics;
using Cooperation.Api.Calls;
using Cooperation.Api.Reports;
using Cooperation.LocalPostgres;
using JasperFx.CommandLine;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cooperation.Api.Demo;

public sealed class DemoInput : NetCoreInput
{
    [Description("Seed the demo data and exit instead of serving")]
    public bool SeedOnlyFlag { get; set; }
}

/// <summary>
/// <c>dotnet run --project src/Cooperation.Api -- demo</c>: a PostgreSQL (found or started), the demo data,
/// tokens for each role, and the service on http://localhost:5000. The service started on its own never seeds.
/// </summary>
[Description("Run the service with the demo contract and data (starts PostgreSQL when no connection string is set)")]
public sealed class DemoCommand : JasperFxAsyncCommand<DemoInput>
{
    public const string Name = "demo";
    private const string Database = "cooperation_demo";
    private static readonly List<(string Who, string Token)> Tokens = [];
    private const string ImportLogLevel = "Logging__LogLevel__Cooperation.Api.Calls.CallImport";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Name;

    /// <summary>Before the host is built: it reads its connection string and signing keys at start-up.</summary>
    public static async Task PrepareAsync()
    {
        var connectionString = await LocalDatabase.EnsureAsync(Database, Console.WriteLine);
        Environment.SetEnvironmentVariable(LocalDatabase.EnvironmentVariable, connectionString);
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT",
            Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Development");
        // The demo's calls lie years back: the daily retention would mask all their callers and topics at start.
        Environment.SetEnvironmentVariable("Cooperation__DailyRetention",
            Environment.GetEnvironmentVariable("Cooperation__DailyRetention") ?? "false");
        // The demo prints its progress a line a year: the import's own lines, one a quarter, would only repeat it.
        Environment.SetEnvironmentVariable(ImportLogLevel, Environment.GetEnvironmentVariable(ImportLogLevel) ?? "Warning");
        await MintTokensAsync();
    }

    public override async Task<bool> Execute(DemoInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var clock = host.Services.GetRequiredService<TimeProvider>();
        if (input.SeedOnlyFlag)
        {
            await AuditChain.EnsureAsync(host.Services); // the seeding writes before the host starts (the start makes the chain)
        }
        else
        {
            // Started first: the reports' projection follows the seeding as it writes, instead of starting after it.
            await host.StartAsync();
        }

        // Once the host runs it owns Ctrl+C: the seed stops with it (an interrupted seed goes on next time).
        var stopping = input.SeedOnlyFlag ? CancellationToken.None : host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        try
        {
            await DemoData.SeedAsync(store, clock, Console.WriteLine, stopping);
            await DemoCalls.SeedAsync(store, host.Services.GetRequiredService<CallImport>(), clock, Console.WriteLine, stopping);
            await DemoBilling.SeedAsync(store, host.Services.GetRequiredService<Billing.BillingLock>(), clock, Console.WriteLine, stopping);
            if (input.SeedOnlyFlag)
            {
                return true;
            }

            await HighWaterMarkAsync(store, stopping);
            await ReportProgress.WaitAsync(host.Services.GetRequiredService<ReportReads>(), Console.WriteLine, ct: stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            Console.WriteLine("Demo: stopped while seeding; the next run goes on where this one stopped.");
            await host.WaitForShutdownAsync();
            return true;
        }

        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = addresses.FirstOrDefault() ?? "http://localhost:5000";
        PrintBanner(url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal));
        await host.WaitForShutdownAsync();
        return true;
    }

    /// <summary>
    /// Until the daemon has seen the seed's last event: its high-water mark, which the reports' progress measures
    /// against, trails the writes by its polling (at most half a minute, then the reports say how far they are).
    /// </summary>
    private static async Task HighWaterMarkAsync(IDocumentStore store, CancellationToken ct)
    {
        var last = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventSequenceNumber;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (DateTimeOffset.UtcNow < deadline && await HighWaterMarkOf(store) < last)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private static async Task<long> HighWaterMarkOf(IDocumentStore store) =>
        (await store.Advanced.AllProjectionProgress()).FirstOrDefault(s => s.ShardName == ShardState.HighWaterMark)?.Sequence ?? 0;

    private static void PrintBanner(string url)
    {
        Console.WriteLine();
        Console.WriteLine($"Cooperation demo is running on {url}  (Ctrl+C stops it)");
        Console.WriteLine($"  Dashboard:    {url}/  (a link with a token signs in: see below)");
        Console.WriteLine($"  Swagger UI:   {url}/swagger");
        Console.WriteLine($"  Health:       {url}/health");
        Console.WriteLine($"  The contract: curl -H \"Authorization: Bearer $TOKEN\" {url}/api/contracts/{DemoData.ContractId}");
        Console.WriteLine($"  A call:       curl -H \"Authorization: Bearer $TOKEN\" {url}/api/calls/demo-20210301-0000");
        Console.WriteLine($"  A report:     curl -H \"Authorization: Bearer $TOKEN\" {url}/api/reports/quarterly/{DemoData.ContractId}/2021/1");
        Console.WriteLine($"     as CSV:    curl -H \"Authorization: Bearer $TOKEN\" -H \"Accept: text/csv\" {url}/api/reports/quarterly/{DemoData.ContractId}/2020/4");
        var invoice = DemoBilling.InvoiceId(new Infrastructure.Quarter(2020, 4));
        Console.WriteLine($"  An invoice:   curl -H \"Authorization: Bearer $TOKEN\" {url}/api/invoices/{invoice}");
        Console.WriteLine($"  XRechnung:    curl -H \"Authorization: Bearer $TOKEN\" {url}/api/invoices/{invoice}/xrechnung");
        Console.WriteLine($"  The year:     curl -H \"Authorization: Bearer $TOKEN\" {url}/api/reconciliation/{DemoData.ContractId}/2021");
        Console.WriteLine();
        if (Tokens.Count == 0)
        {
            Console.WriteLine("  Tokens: see the README ('dotnet user-jwts create …').");
        }

        foreach (var (who, token) in Tokens)
        {
            Console.WriteLine($"  {who,-36} TOKEN={token}");
        }

        // The token rides in the fragment, which the browser never sends to the server (ADR 24).
        foreach (var (who, token) in Tokens.Where(t => t.Who.StartsWith("finance", StringComparison.Ordinal) || t.Who.StartsWith("auditor", StringComparison.Ordinal)))
        {
            Console.WriteLine();
            Console.WriteLine($"  Dashboard as {who}:");
            Console.WriteLine($"    {url}/#token={token}");
        }

        Console.WriteLine();
        Console.WriteLine("  More tokens: dotnet user-jwts create --project src/Cooperation.Api --role finance --claim municipality=castrop-rauxel --output token");
    }

    private static async Task MintTokensAsync()
    {
        var project = LocalDatabase.FindUp("Cooperation.Api.csproj", Path.Combine(AppContext.BaseDirectory, "..", "..", ".."));
        if (project is null)
        {
            return;
        }

        (string Who, string[] Arguments)[] wanted =
        [
            ("contract-admin (any city)", ["--role", "contract-admin", "--name", "demo-admin"]),
            ("finance, Castrop-Rauxel", ["--role", "finance", "--claim", "municipality=castrop-rauxel", "--name", "demo-finance-cr"]),
            ("finance, Bochum", ["--role", "finance", "--claim", "municipality=bochum", "--name", "demo-finance-bo"]),
            ("service-centre, Bochum", ["--role", "service-centre", "--claim", "municipality=bochum", "--name", "demo-acd"]),
            ("department, Castrop-Rauxel", ["--role", "department", "--claim", "municipality=castrop-rauxel", "--name", "demo-department"]),
            ("auditor (everything, read-only)", ["--role", "auditor", "--name", "demo-auditor"]),
        ];
        // The first alone: it makes the signing key when there is none yet; then the others at once.
        var first = await MintAsync(project, wanted[0].Arguments);
        if (first is null)
        {
            return; // the SDK's tool is missing or refused: the banner points to the README instead
        }

        var others = await Task.WhenAll(wanted.Skip(1).Select(w => MintAsync(project, w.Arguments)));
        Tokens.AddRange(wanted.Zip([first, .. others]).Where(t => t.Second is not null).Select(t => (t.First.Who, t.Second!)));
    }

    /// <summary>A token from <c>dotnet user-jwts create</c>, or null when the tool is missing or refused.</summary>
    private static async Task<string?> MintAsync(string project, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["user-jwts", "create", "--project", project, "--output", "token", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start);
        if (process is null)
        {
            return null;
        }

        var error = process.StandardError.ReadToEndAsync();
        var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        await error;
        return process.ExitCode != 0 || token.Contains(' ', StringComparison.Ordinal) ? null : token;
    }
}
