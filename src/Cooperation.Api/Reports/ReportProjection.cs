using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Marten.Services;
using Npgsql;

namespace Cooperation.Api.Reports;

/// <summary>
/// The report projection as Marten's async daemon runs it (ADR 16): each batch of events is applied by
/// <see cref="ReportProjector"/> to the live generation of the report tables, in the transaction that also moves
/// the daemon's progress, so the figures and the position they are current with never part.
/// </summary>
public sealed class ReportProjection : ProjectionBase, IProjection
{
    public const string ProjectionName = "ReportFigures";

    /// <summary>Events per batch: the live path sees a few at a time; a catch-up applies this many per transaction.</summary>
    public const int BatchSize = 4000;

    private readonly StoreOptions _options;
    private ReportStore? _tables;
    private ReportProjector? _projector;
    private string[]? _typeNames;

    public ReportProjection(StoreOptions options)
    {
        _options = options;
        Name = ProjectionName;
        foreach (var type in ReportProjector.EventTypes)
        {
            IncludeType(type);
        }

        Options.BatchSize = BatchSize;
        Options.MaximumHopperSize = BatchSize * 4;
    }

    public ReportStore Tables => _tables ??= new ReportStore(_options.Events.DatabaseSchemaName);

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        if (events.Count > 0)
        {
            ((ITransactionParticipantRegistrar)operations).AddTransactionParticipant(new Batch(this, events));
        }

        return Task.CompletedTask;
    }

    /// <summary>Marten's names of the event types the reports read (for "is anything left to apply").</summary>
    public string[] TypeNames => _typeNames ??= [.. ReportProjector.TypesByName((Marten.Events.EventGraph)_options.Events).Keys];

    private ReportProjector Projector => _projector ??= new ReportProjector(Tables, _options.Serializer());

    private sealed class Batch(ReportProjection projection, IReadOnlyList<IEvent> events) : ITransactionParticipant
    {
        public async Task BeforeCommitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken token)
        {
            var generations = new ReportGenerations(projection.Tables);
            var live = await generations.LiveForDaemonAsync(connection, transaction, events[0].Sequence, projection.TypeNames, token);
            var missing = events.Where(e => e.Sequence > live.Position).ToList();
            if (missing.Count > 0)
            {
                await projection.Projector.ApplyAsync(connection, transaction, live.Number, missing, token);
                await generations.AdvanceAsync(connection, transaction, live, missing[^1].Sequence, projection.TypeNames, token);
            }
        }
    }
}
