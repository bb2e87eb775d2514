using Npgsql;

namespace Cooperation.Api.Infrastructure;

public static class Database
{
    /// <summary>
    /// The connection string with the settings the write path relies on, unless the operator set them: statements
    /// prepared after their second use (every request runs the same few appends and reads, and PostgreSQL then
    /// parses and plans them once per connection instead of every time); and at most 40 connections, well below
    /// PostgreSQL's default of 100, so that under a burst requests queue for a connection instead of being refused
    /// by the server (53300, answered 503), and the projections and an operator's psql still get one; and no reset
    /// of a connection's session state each time it goes back to the pool (Marten takes a pooled connection per
    /// read; the service sets no session state: its settings and advisory locks are transaction-scoped, but for the
    /// rebuild's lock, which it releases itself). And the setting by which the audit chain's trigger knows the
    /// service's own writes (ADR 21).
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("MaxAutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("NoResetOnClose", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        if (!connectionString.Contains("Maximum Pool Size", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("Max Pool Size", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxPoolSize = 40;
        }

        AuditChain.MarkConnection(builder);
        return builder.ConnectionString;
    }
}
