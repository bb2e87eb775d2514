using Marten;
using Wolverine.Http;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Stamps who acted (the token's subject) and the request's correlation id on the Marten session, so
/// every event a request appends carries them (ADR 0004).
/// </summary>
public static class AuditMetadataMiddleware
{
    public static void Before(HttpContext httpContext, IDocumentSession session)
    {
        session.LastModifiedBy = Caller.From(httpContext.User).Subject;
        session.CorrelationId = CorrelationId.Of(httpContext);
    }

    /// <summary>
    /// Only endpoints that write through a session of Wolverine's need it stamped; those that write through the
    /// write step stamp their own (and get no session, nor a transaction, from Wolverine).
    /// </summary>
    public static bool AppliesTo(HttpChain chain) =>
        chain.HttpMethods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE")
        && chain.Method.HandlerType.GetMethods().Any(m => m.GetParameters().Any(p => p.ParameterType == typeof(IDocumentSession)));
}
