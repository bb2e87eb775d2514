using System.Text.Json.Nodes;
using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.OpenApi;

/// <summary>A finding of Spectral: its rule, severity (0 error, 1 warning, 2 info, 3 hint) and where.</summary>
public sealed record LintFinding(string Code, int Severity, string Path, string Message);

/// <summary>
/// Spectral with the OAS and OWASP API Security rulesets (versions pinned in <c>spectral/package-lock.json</c>),
/// installed from npm into <c>spectral/node_modules</c> the first time; Node.js with apt when missing (as root).
/// </summary>
public static class Spectral
{
    private static readonly SemaphoreSlim Installing = new(1, 1);

    private static string Folder => Path.Combine(Tools.RepositoryRoot(), "tests", "Cooperation.Api.Tests", "OpenApi", "spectral");

    private static string Cli => Path.Combine(Folder, "node_modules", ".bin", "spectral");

    private static string Stamp => Path.Combine(Folder, "node_modules", ".installed-from");

    private static string LockHash() =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(Folder, "package-lock.json"))));

    public static async Task<IReadOnlyList<LintFinding>> LintAsync(string openApiJson, Action<string> log)
    {
        await EnsureInstalledAsync(log);
        var directory = Directory.CreateTempSubdirectory("cooperation-lint-");
        try
        {
            var document = Path.Combine(directory.FullName, "swagger.json");
            var results = Path.Combine(directory.FullName, "results.json");
            await File.WriteAllTextAsync(document, openApiJson);
            // Exit code 1 means findings at error level: they are read from the results, not from the exit code.
            await Tools.RunAsync(Cli, ["lint", document, "--ruleset", Path.Combine(Folder, ".spectral.yaml"), "--format", "json", "--output", results, "--quiet"],
                log: null, directory: Folder, succeeding: 1);
            return [.. JsonNode.Parse(await File.ReadAllTextAsync(results))!.AsArray().Select(f => new LintFinding(
                (string)f!["code"]!, (int)f["severity"]!, string.Join('.', f["path"]!.AsArray().Select(p => p!.ToString())), (string)f["message"]!))];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task EnsureInstalledAsync(Action<string> log)
    {
        await Installing.WaitAsync();
        try
        {
            // Installed, and from the lock file as it is now (a changed pin installs again).
            if (File.Exists(Cli) && File.Exists(Stamp) && await File.ReadAllTextAsync(Stamp) == LockHash())
            {
                return;
            }

            if (!Tools.OnPath("npm"))
            {
                if (Environment.UserName != "root")
                {
                    throw new InvalidOperationException("The OpenAPI lint needs Node.js and npm: run `apt-get install -y nodejs npm` once, or the tests as root.");
                }

                log("OpenAPI lint: npm missing, installing nodejs and npm with apt …");
                await Tools.AptInstallAsync(["nodejs", "npm"], log);
            }

            log("OpenAPI lint: installing Spectral and the OWASP ruleset from npm (about 15 s) …");
            // No install scripts: Spectral needs none, and one of its dependencies' would report the install home.
            await Tools.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], log, directory: Folder);
            await File.WriteAllTextAsync(Stamp, LockHash());
        }
        finally
        {
            Installing.Release();
        }
    }
}
