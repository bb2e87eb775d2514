using Cooperation.Api.Appointments;
using Cooperation.Api.Billing;
using Cooperation.Api.Calls;
using Cooperation.Api.Contracts;
using Cooperation.Api.Demo;
using Cooperation.Api.Infrastructure;
using Cooperation.Api.Referrals;
using Cooperation.Api.Reports;
using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.OpenApi;
using Npgsql;
using Weasel.Core;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

if (DemoCommand.IsRequested(args))
{
    await DemoCommand.PrepareAsync();
}

var builder = WebApplication.CreateBuilder(args);
builder.Host.ApplyJasperFxExtensions();

// Generating code and listing commands need no database; everything else does.
var connectionString = builder.Configuration.GetConnectionString("Cooperation")
    ?? (args is ["codegen" or "help" or "?", ..] ? "Host=localhost" : null)
    ?? throw new InvalidOperationException(
        "No database: set ConnectionStrings:Cooperation (environment variable ConnectionStrings__Cooperation).");
var schema = builder.Configuration["Cooperation:Schema"] ?? "cooperation";

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(Database.Tuned(connectionString)));
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>(); // before the framework's writer, so it is chosen
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.Customize);
builder.Services.AddExceptionHandler<ConflictExceptionHandler>();
builder.Services.AddCooperationAuth();
builder.Services.AddCooperationRateLimits(builder.Configuration);
builder.AddHttpSurface();
builder.Services.AddSingleton<WriteStep>();
builder.Services.AddSingleton<EventRows>();
builder.Services.AddSingleton<Cooperation.Api.Audit.ChainVerifier>();
builder.Services.AddSingleton<Cooperation.Api.Audit.EventHistory>();
builder.Services.AddSingleton<Cooperation.Api.Audit.AuditExport>();
builder.Services.AddSingleton<Cooperation.Api.Audit.ChainDigests>();
// First: the hosted services start in this order, and the daily passes below need its tables.
builder.Services.AddHostedService<AuditChainSetup>();
if (builder.Configuration.GetValue("Cooperation:DailyDigest", true))
{
    builder.Services.AddHostedService<Cooperation.Api.Audit.DailyDigest>();
}

if (builder.Configuration.GetValue("Cooperation:DailyRetention", true))
{
    builder.Services.AddHostedService<DailyRetention>();
}

builder.Services.AddSingleton(sp => new ReportReads(
    sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<IDocumentStore>(),
    builder.Configuration.GetValue("Cooperation:AsOfSettled", AsOfCache.Settled)));
var contracts = new ContractCache();
builder.Services.AddSingleton(contracts);
builder.Services.AddCalls();
builder.Services.AddReferrals();
builder.Services.AddAppointments();
builder.Services.AddBilling(builder.Configuration);
builder.Services.AddSingleton<DatabaseHealthCheck>().AddSingleton<RecentHealth<DatabaseHealthCheck>>();
builder.Services.AddSingleton<ReportsLagHealthCheck>().AddSingleton<RecentHealth<ReportsLagHealthCheck>>();
builder.Services.AddHealthChecks()
    .AddCheck<RecentHealth<DatabaseHealthCheck>>("database")
    .AddCheck<RecentHealth<ReportsLagHealthCheck>>("reports", HealthStatus.Unhealthy);
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: false);
RequestValidation.UseJsonNames();

builder.Services.AddEndpointsApiExplorer();
builder.Services.AddSwaggerGen(o =>
{
    o.SwaggerDoc("v1", new OpenApiInfo
    {
        Title = "Cooperation API",
        Version = "v1",
        Description = "Inter-municipal cooperation on citizen telephone service: contracts, calls, referrals, appointments, "
            + "quarterly reports, invoices and the audit trail. Limits, rate limits and roles: see the README.",
        Contact = new OpenApiContact { Name = "The operators of this Cooperation service" },
    });
    o.AddServer(new OpenApiServer
    {
        Url = "/",
        Description = "This service, the same origin as the document (behind TLS in production)",
        // For the systems of the cities party to a contract, not the public.
        Extensions = new Dictionary<string, IOpenApiExtension> { ["x-internal"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(true)) },
    });
    o.CustomSchemaIds(t => t.FullName!.Replace('+', '.'));
    o.SchemaFilter<ValidatorLimitsSchemaFilter>();
    o.OperationFilter<ParameterLimitsOperationFilter>();
    o.OperationFilter<MediaOperationFilter>();
    o.OperationFilter<CommonAnswersOperationFilter>();
    o.DocumentFilter<AnswerBoundsDocumentFilter>();
    o.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
    {
        Type = SecuritySchemeType.Http,
        Scheme = "bearer",
        BearerFormat = "JWT",
        Description = "A JWT with 'role' claims (see the README for `dotnet user-jwts`), signed and validated as RFC8725 recommends: "
            + "the algorithm is the key's, never 'none'; issuer, audience, lifetime and signature are checked.",
    });
    o.AddSecurityRequirement(document => new OpenApiSecurityRequirement
    {
        [new OpenApiSecuritySchemeReference("bearer", document)] = [],
    });
});

var nodes = NodeMode.From(builder.Configuration);
var marten = builder.Services.AddMarten(opts =>
{
    opts.DatabaseSchemaName = schema;
    opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
    opts.Events.StreamIdentity = StreamIdentity.AsString;
    opts.Events.MetadataConfig.CorrelationIdEnabled = true;
    opts.Events.MetadataConfig.CausationIdEnabled = true;
    opts.Events.MetadataConfig.UserNameEnabled = true;
    opts.AutoCreateSchemaObjects = builder.Environment.IsProduction() ? AutoCreate.None : AutoCreate.CreateOrUpdate;
    WriteStep.AddGuardFunction(opts, schema);
    opts.Listeners.Add(contracts);
    opts.AddContracts();
    opts.AddCalls();
    opts.AddReferrals();
    opts.AddAppointments();
    opts.AddReports();
    opts.AddBilling();
    opts.Events.AddEventType<Cooperation.Api.Audit.ChainDigestRecorded>();
})
.UseNpgsqlDataSource()
.UseLightweightSessions();
nodes.ConfigureMarten(marten);

builder.Host.UseWolverine(opts =>
{
    opts.Policies.AutoApplyTransactions();
    nodes.ConfigureWolverine(opts.Durability);
    // Pre-generated handlers (Internal/Generated) in production; elsewhere regenerated when missing or stale.
    opts.CodeGeneration.TypeLoadMode = builder.Environment.IsProduction() ? TypeLoadMode.Static : TypeLoadMode.Auto;
    opts.UseRuntimeCompilation();
});
builder.Services.AddWolverineHttp();

var app = builder.Build();

app.UseSecurityHeaders();
// The dashboard's static files (ADR 24): before the limiter and the guard, which only the API needs.
app.UseDefaultFiles();
// Revalidated on every load (ETag, 304): after an upgrade no browser runs an old script against the new API.
app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = f => f.Context.Response.Headers.CacheControl = "no-cache" });
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCorrelationIds();
app.UseConfiguredCors();
app.UseAuthentication();
app.UseCooperationRateLimits(); // by the token's subject, so after authentication; before anything else answers
app.UseInputGuard();
app.UseAuthorization();
app.UseBodyLimit();

app.UseOpenApiDocumentCache();
app.UseSwagger(o => o.RouteTemplate = OpenApiDocumentCache.RouteTemplate);
if (app.SwaggerUiWanted())
{
    app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "Cooperation API v1"));
}

app.MapHealthChecks("/health", Health.Options).AllowAnonymous().DisableRateLimiting()
    .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head])); // a probe reads; nothing else is answered

app.MapWolverineEndpoints(opts =>
{
    opts.RequireAuthorizeOnAll();
    opts.AddPolicy<FluentValidationPolicy>();
    opts.AddPolicy<DeclaredAnswersPolicy>(); // endpoints answering IResult declare their answers themselves
});

return await app.RunJasperFxCommands(args);

/// <summary>Entry point, public for the integration tests' host.</summary>
public partial class Program;
