using Cooperation.Api.Tests.Fixtures;
using Cooperation.LocalPostgres;

namespace Cooperation.Api.Tests.Infrastructure;

/// <summary>
/// Wolverine loads the committed handlers in src/Cooperation.Api/Internal/Generated as they are, even when an
/// endpoint or a policy has changed since (ADR 0006). This test regenerates them and fails on any difference.
/// </summary>
public sealed class GeneratedCodeTests
{
    [Fact]
    public async Task Pre_generated_handlers_match_the_current_endpoints_and_policies()
    {
        var committed = Path.Combine(Path.GetDirectoryName(LocalDatabase.FindUp("Cooperation.sln"))!,
            "src", "Cooperation.Api", "Internal", "Generated", "WolverineHandlers");
        var scratch = Directory.CreateTempSubdirectory("cooperation-codegen-");
        try
        {
            await AppProcess.RunAsync(
                new Dictionary<string, string> { [LocalDatabase.EnvironmentVariable] = "Host=localhost;Database=unused" },
                scratch.FullName, "codegen", "write");

            var fresh = Path.Combine(scratch.FullName, "Internal", "Generated", "WolverineHandlers");
            var stale = Directory.GetFiles(fresh).Select(Path.GetFileName)
                .Union(Directory.GetFiles(committed).Select(Path.GetFileName))
                .Where(name => !File.Exists(Path.Combine(committed, name!)) || !File.Exists(Path.Combine(fresh, name!)) ||
                               File.ReadAllText(Path.Combine(committed, name!)) != File.ReadAllText(Path.Combine(fresh, name!)))
                .ToList();

            Assert.True(stale.Count == 0,
                "The pre-generated handlers are stale; run 'dotnet run --project src/Cooperation.Api -- codegen write' " +
                $"and commit the result. Differing: {string.Join(", ", stale)}");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
