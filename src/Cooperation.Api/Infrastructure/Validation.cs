using FluentValidation;
using FluentValidation.Results;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// Runs the FluentValidation validator of an endpoint's request body before anything else and answers
/// 400 problem details with per-field errors. Ours because WolverineFx.Http.FluentValidation is not
/// served here (ADR 0002).
/// </summary>
public sealed class FluentValidationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HasRequestType))
        {
            // Without a validator of its own, a body still has to be a JSON object ("null" is not one).
            var validator = typeof(IValidator<>).MakeGenericType(chain.RequestType!);
            var validated = container.RegistrationsFor(validator).Any();
            var method = typeof(RequestValidation)
                .GetMethod(validated ? nameof(RequestValidation.ValidateAsync) : nameof(RequestValidation.RequireBody))!
                .MakeGenericMethod(chain.RequestType!);
            var call = new MethodCall(typeof(RequestValidation), method)
            {
                CommentText = validated ? "FluentValidation of the request body" : "The request body must be a JSON object",
            };
            chain.Middleware.InsertRange(0, [call, new MaybeEndWithResultFrame(call.ReturnVariable!)]);
            chain.Metadata.ProducesValidationProblem();
        }
    }
}

public static class RequestValidation
{
    /// <summary>Field names and messages speak of the JSON members ("annualFee"), not the C# ones.</summary>
    public static void UseJsonNames()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : CamelCase(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : CamelCase(member.Name);
        // One message per broken field: the first rule that fails says what is wrong.
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;
    }

    public static IResult RequireBody<T>(T? request) =>
        request is null ? Results.Problem(Problems.Invalid("$", "A JSON object is required as the request body.")) : WolverineContinue.Result();

    public static async Task<IResult> ValidateAsync<T>(IValidator<T> validator, T? request)
    {
        if (request is null)
        {
            return RequireBody(request);
        }

        var result = await validator.ValidateAsync(request);
        return result.IsValid ? WolverineContinue.Result() : Results.Problem(Problems.Invalid(ToErrors(result)));
    }

    public static Dictionary<string, string[]> ToErrors(ValidationResult result) =>
        result.Errors
            .GroupBy(e => JsonPath(e.PropertyName), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);

    /// <summary>"ServiceLines[0].Code" → "serviceLines[0].code".</summary>
    private static string JsonPath(string propertyName) =>
        string.IsNullOrEmpty(propertyName)
            ? "$"
            : string.Join('.', propertyName.Split('.').Select(CamelCase));

    internal static string CamelCase(string name) =>
        name.Length == 0 || char.IsLower(name[0]) ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
