using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Cooperation.Api.Infrastructure;

/// <summary>A token bucket: <see cref="Burst"/> requests at once, refilled by <see cref="PerSecond"/> each second.</summary>
public sealed class Bucket
{
    public int Burst { get; set; }

    public int PerSecond { get; set; }
}

/// <summary>The settings under <c>Cooperation:RateLimits</c>; the defaults are what a deployment gets without any.</summary>
public sealed class RateLimitSettings
{
    public const string Section = "Cooperation:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Per token subject. One telephony system reports every call of a service centre under one subject: 200 a second
    /// is ~50 calls a second with their answer, completion and an appointment, far beyond any Bürgerbüro line; 1,000 at
    /// once lets it send what it queued during a short network outage. The bulk import is one request.
    /// </summary>
    public Bucket PerClient { get; set; } = new() { Burst = 1_000, PerSecond = 200 };

    /// <summary>
    /// Per remote address, for requests without a valid token: the OpenAPI document, the Swagger UI's few files and
    /// refusals (401). A person never needs more; a scanner or a password-spraying client gets 429 soon.
    /// </summary>
    public Bucket PerAddress { get; set; } = new() { Burst = 100, PerSecond = 20 };

    public static RateLimitSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<RateLimitSettings>() ?? new RateLimitSettings();
        foreach (var (name, bucket) in new[] { ("PerClient", settings.PerClient), ("PerAddress", settings.PerAddress) })
        {
            if (bucket.Burst < 1 || bucket.PerSecond < 1)
            {
                throw new InvalidOperationException(
                    $"{Section}:{name}:Burst and :PerSecond must be at least 1 (to switch rate limiting off, set {Section}:Enabled to false).");
            }
        }

        return settings;
    }
}

/// <summary>
/// One global rate limiter (ASP.NET Core's middleware, token buckets): per authenticated client (the token's
/// <c>sub</c>), else per remote address. Every answer that passed it says how much is left in
/// <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c>; a refusal is 429 problem details
/// with <c>Retry-After</c>. <c>/health</c> is not limited: a load balancer must never take a healthy node out
/// because its probes were counted.
/// </summary>
public sealed class RateLimits(RateLimitSettings settings) : IDisposable
{
    public const string LimitHeader = "RateLimit-Limit";
    public const string RemainingHeader = "RateLimit-Remaining";
    public const string ResetHeader = "RateLimit-Reset";

    /// <summary>
    /// The policy of the reads that cost seconds of CPU or stream without bound (verifying every chain, the audit
    /// export): one at a time per client, beside the bucket; a second at once is 429.
    /// </summary>
    public const string OneAtATime = "one-at-a-time";

    // Whole seconds, so that the headers tell the truth in whole seconds.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    public PartitionedRateLimiter<HttpContext> Limiter { get; } = PartitionedRateLimiter.Create<HttpContext, string>(context =>
    {
        var (key, bucket) = PartitionOf(context, settings);
        return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.Burst,
            TokensPerPeriod = bucket.PerSecond,
            ReplenishmentPeriod = Period,
            QueueLimit = 0, // refuse at once: a queued request holds a connection and the client's timeout
        });
    });

    public void Dispose() => Limiter.Dispose();

    /// <summary>
    /// The bucket's size, the permits left in it now, and the whole seconds until it is full again (0 when it is):
    /// after that long the client may send a whole burst.
    /// </summary>
    internal void WriteHeaders(HttpContext context)
    {
        var bucket = PartitionOf(context, settings).Bucket;
        var remaining = (int)Math.Clamp(Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0, 0, bucket.Burst);
        var headers = context.Response.Headers;
        headers[LimitHeader] = bucket.Burst.ToString(CultureInfo.InvariantCulture);
        headers[RemainingHeader] = remaining.ToString(CultureInfo.InvariantCulture);
        headers[ResetHeader] = (((long)bucket.Burst - remaining + bucket.PerSecond - 1) / bucket.PerSecond).ToString(CultureInfo.InvariantCulture); // long: no overflow near int.MaxValue
    }

    internal static async ValueTask RejectAsync(OnRejectedContext rejected)
    {
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Period;
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await Problems.WriteAsync(rejected.HttpContext, Problems.TooManyRequests(
            $"Too many requests from this client: send this again in {seconds} s. RateLimit-Limit and RateLimit-Remaining say how many may be sent at once."));
    }

    /// <summary>A client with a valid token is counted by its subject (within its issuer), anyone else by its address.</summary>
    private static (string Key, Bucket Bucket) PartitionOf(HttpContext context, RateLimitSettings settings)
    {
        var key = KeyOf(context);
        return (key, key.StartsWith("client:", StringComparison.Ordinal) ? settings.PerClient : settings.PerAddress);
    }

    internal static string KeyOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(Roles.SubjectClaim) is { Value.Length: > 0 } subject
            ? $"client:{subject.Issuer}|{subject.Value}"
            : "address:" + AddressOf(context.Connection.RemoteIpAddress);

    /// <summary>An IPv6 host usually holds a whole /64: counting single addresses there would count nothing.</summary>
    private static string AddressOf(IPAddress? address)
    {
        if (address is null)
        {
            return "none";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}

public static class RateLimitSetup
{
    public static IServiceCollection AddCooperationRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = RateLimitSettings.From(configuration);
        if (!settings.Enabled)
        {
            return services;
        }

        services.AddSingleton(_ => new RateLimits(settings)); // made by the container, so disposed with it (its timer)
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (rejected, _) => RateLimits.RejectAsync(rejected);
            options.AddPolicy(RateLimits.OneAtATime, context => RateLimitPartition.GetConcurrencyLimiter(
                RateLimits.KeyOf(context), _ => new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }));
        });
        services.AddOptions<RateLimiterOptions>().Configure<RateLimits>((options, limits) => options.GlobalLimiter = limits.Limiter);
        return services;
    }

    /// <summary>After authentication (the partition is the token's subject); nothing when the limits are off.</summary>
    public static IApplicationBuilder UseCooperationRateLimits(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<RateLimits>() is not { } limits)
        {
            return app;
        }

        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is null)
            {
                context.Response.OnStarting(() =>
                {
                    limits.WriteHeaders(context);
                    return Task.CompletedTask;
                });
            }

            return next(context);
        });
        return app.UseRateLimiter();
    }
}
