using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace Cooperation.LocalPostgres;

/// <summary>
/// Gives the demo and the tests a PostgreSQL without ceremony (ADR 0005): the configured connection string
/// when there is one; otherwise a server on localhost, started through <c>docker compose</c> where a Docker
/// engine answers, else the locally installed cluster (started as its owner, installed with apt when missing
/// and the caller is root). Idempotent: a server already up is simply used.
/// </summary>
public static class LocalDatabase
{
    public const string EnvironmentVariable = "ConnectionStrings__Cooperation";
    public const string Role = "cooperation";
    private const string Password = "cooperation";
    private const int DefaultPort = 5432;

    /// <summary>A connection string to <paramref name="database"/>, creating the database when it is missing.</summary>
    public static async Task<string> EnsureAsync(string database, Action<string> log, CancellationToken ct = default)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var port = DefaultPort;
        if (!await AcceptsConnectionsAsync(port, ct))
        {
            if (await DockerEngineAnswersAsync(ct) && FindUp("docker-compose.yml") is { } compose)
            {
                log("PostgreSQL: starting it with docker compose …");
                await RunAsync("docker", ["compose", "-f", compose, "up", "-d", "--wait", "postgres"], ct);
            }
            else
            {
                port = await StartLocalClusterAsync(log, ct);
            }

            await WaitUntilAcceptingAsync(port, ct);
        }

        if (await TryLogInAsync(port, ct) == Login.Refused)
        {
            await CreateRoleAsync(port, log, ct);
        }

        await CreateDatabaseIfMissingAsync(port, database, log, ct);
        return ConnectionString(port, database);
    }

    private static string ConnectionString(int port, string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "localhost",
            Port = port,
            Username = Role,
            Password = Password,
            Database = database,
            // Loopback only: encrypting it spent a tenth of the service's CPU on TLS, on both ends.
            SslMode = SslMode.Disable,
        }.ConnectionString;

    private static async Task<bool> AcceptsConnectionsAsync(int port, CancellationToken ct)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("localhost", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAcceptingAsync(int port, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            if (await AcceptsConnectionsAsync(port, ct) && await TryLogInAsync(port, ct) != Login.NoAnswer)
            {
                return;
            }

            await Task.Delay(500, ct);
        }

        throw new InvalidOperationException($"PostgreSQL on port {port} did not come up within 30 s.");
    }

    private enum Login { Accepted, Refused, NoAnswer }

    // A server that is still starting accepts TCP but answers no login yet (57P03); a refused login is an answer.
    private static async Task<Login> TryLogInAsync(int port, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString(port, "postgres"));
            await connection.OpenAsync(ct);
            return Login.Accepted;
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return Login.Refused;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException)
        {
            return Login.NoAnswer;
        }
    }

    private static async Task<int> StartLocalClusterAsync(Action<string> log, CancellationToken ct)
    {
        if (!OnPath("pg_lsclusters"))
        {
            RequireRoot("PostgreSQL is not installed");
            log("PostgreSQL: installing it with apt (this takes a minute) …");
            await RunAsync("apt-get", ["update", "-q"], ct);
            await RunAsync("apt-get", ["install", "-y", "-q", "postgresql"], ct, ("DEBIAN_FRONTEND", "noninteractive"));
        }

        var clusters = (await RunAsync("pg_lsclusters", ["--no-header"], ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns.Length >= 4)
            .ToList();

        if (clusters.Count == 0)
        {
            RequireRoot("PostgreSQL has no cluster");
            var version = Directory.GetDirectories("/usr/lib/postgresql").Select(Path.GetFileName).Max()!;
            log($"PostgreSQL: creating cluster {version}/main …");
            await RunAsync("pg_createcluster", [version, "main", "--port", DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture)], ct);
            clusters.Add([version, "main", DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "down"]);
        }

        var cluster = clusters.FirstOrDefault(c => c[2] == DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture)) ?? clusters[0];
        var (ver, name, port) = (cluster[0], cluster[1], int.Parse(cluster[2], System.Globalization.CultureInfo.InvariantCulture));
        if (cluster[3] != "online")
        {
            // pg_ctlcluster switches to the cluster's owner: PostgreSQL never runs as root.
            log($"PostgreSQL: starting local cluster {ver}/{name} on port {port} …");
            await RunAsync("pg_ctlcluster", [ver, name, "start"], ct);
        }

        return port;
    }

    private static async Task CreateRoleAsync(int port, Action<string> log, CancellationToken ct)
    {
        RequireRoot($"PostgreSQL on port {port} refuses the '{Role}' login");
        log($"PostgreSQL: creating the login role '{Role}' …");
        const string sql = $"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{Role}') THEN
                CREATE ROLE {Role} LOGIN CREATEDB PASSWORD '{Password}';
              ELSE
                ALTER ROLE {Role} LOGIN CREATEDB PASSWORD '{Password}';
              END IF;
            END $$;
            """;
        await RunAsync("runuser", ["-u", "postgres", "--", "psql", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-v", "ON_ERROR_STOP=1", "-c", sql], ct);
    }

    private static async Task CreateDatabaseIfMissingAsync(int port, string database, Action<string> log, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(port, "postgres"));
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand(
            "select has_database_privilege(current_user, datname, 'CREATE') from pg_database where datname = $1", connection)
        {
            Parameters = { new() { Value = database } },
        };
        switch (await exists.ExecuteScalarAsync(ct))
        {
            case true:
                return;
            case false:
                // Made earlier by another role (by hand, say): the service needs to create its schemas in it.
                RequireRoot($"Database '{database}' exists but '{Role}' may not create schemas in it");
                log($"PostgreSQL: handing database '{database}' to '{Role}' …");
                await RunAsync("runuser", ["-u", "postgres", "--", "psql", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "-v", "ON_ERROR_STOP=1", "-c", $"ALTER DATABASE \"{database}\" OWNER TO {Role}"], ct);
                return;
        }

        log($"PostgreSQL: creating database '{database}' …");
        try
        {
            await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Created by a concurrent run in the meantime: just as good.
        }
    }

    private static async Task<bool> DockerEngineAnswersAsync(CancellationToken ct)
    {
        if (!OnPath("docker"))
        {
            return false;
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], timeout.Token);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            return false;
        }
    }

    private static void RequireRoot(string problem)
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException(
                $"{problem}, and only root can fix that here. Start a PostgreSQL and set {EnvironmentVariable}, " +
                $"or run as root once (it installs/starts PostgreSQL and creates the '{Role}' role).");
        }
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    /// <summary>The first <paramref name="file"/> in the current directory or one above it.</summary>
    public static string? FindUp(string file, string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return start is null ? FindUp(file, AppContext.BaseDirectory) : null;
    }

    private static async Task<string> RunAsync(string program, string[] arguments, CancellationToken ct, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{program} {string.Join(' ', arguments)}' failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }
}
