using System.Globalization;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Cooperation.Api.Infrastructure;

/// <summary>
/// States in the OpenAPI document the limits the validators enforce, read from the validators themselves, so that
/// the two cannot drift (ADR 23): a length, a range, a comparison with a constant, a pattern, <c>MaxItems</c>.
/// Dates, times and instants get the lengths their JSON readers accept.
/// </summary>
public sealed class ValidatorLimitsSchemaFilter(IServiceProvider services) : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target)
        {
            return;
        }

        BoundByReader(target, Nullable.GetUnderlyingType(context.Type) ?? context.Type);
        if (target.Properties is not { Count: > 0 } properties)
        {
            return;
        }

        // Its own validator, and those of the types it is checked as (a call record: the single requests' rules).
        var validated = (context.Type.GetCustomAttributes(typeof(ValidatedAsAttribute), false).FirstOrDefault() as ValidatedAsAttribute)?.Types ?? [];
        foreach (var type in validated.Prepend(context.Type))
        {
            StateRules(properties, RulesOf(type));
        }
    }

    /// <summary>The rules of the validator registered for <paramref name="type"/>, if there is one.</summary>
    private IEnumerable<IValidationRule> RulesOf(Type type) =>
        services.GetService(typeof(IValidator<>).MakeGenericType(type)) as IEnumerable<IValidationRule> ?? [];

    private void StateRules(IDictionary<string, IOpenApiSchema> properties, IEnumerable<IValidationRule> rules)
    {
        foreach (var rule in rules)
        {
            if (string.IsNullOrEmpty(rule.PropertyName))
            {
                // A validator of another type over this one's members (the KPI settings flattened into a change).
                foreach (var child in rule.Components.Select(c => c.Validator).OfType<IChildValidatorAdaptor>())
                {
                    var validated = child.ValidatorType.GetInterfaces()
                        .Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)).GetGenericArguments()[0];
                    StateRules(properties, RulesOf(validated));
                }

                continue;
            }

            // Rules on a nested member ("client.id") state nothing of one property of this object.
            if (rule.PropertyName.Contains('.') ||
                !properties.TryGetValue(RequestValidation.CamelCase(rule.PropertyName), out var property) || property is not OpenApiSchema member)
            {
                continue;
            }

            var each = IsCollectionRule(rule) ? member.Items as OpenApiSchema : member;
            if (each is null)
            {
                continue; // items of a type of their own: its validator speaks for them
            }

            foreach (var component in rule.Components)
            {
                State(each, component.Validator);
            }
        }
    }

    private static void BoundByReader(OpenApiSchema schema, Type type)
    {
        if (type == typeof(DateTimeOffset))
        {
            schema.MaxLength = Instants.MaxLength;
        }
        else if (type == typeof(DateOnly))
        {
            schema.MinLength = schema.MaxLength = Instants.DateLength;
        }
        else if (type == typeof(TimeOnly))
        {
            schema.MaxLength = HourMinuteConverter.MaxLength;
        }
    }

    private static void State(OpenApiSchema schema, IPropertyValidator validator)
    {
        switch (validator)
        {
            case ILengthValidator length:
                if (length.Max > 0) // MinimumLength has none (-1)
                {
                    schema.MaxLength = Math.Min(schema.MaxLength ?? int.MaxValue, length.Max);
                }

                if (length.Min > 0)
                {
                    schema.MinLength = Math.Max(schema.MinLength ?? 0, length.Min);
                }

                break;
            case IBetweenValidator { From: var from, To: var to } when IsNumber(from) && IsNumber(to):
                var exclusive = validator.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ExclusiveBetweenValidator<,>);
                Minimum(schema, from, exclusive);
                Maximum(schema, to, exclusive);
                break;
            case IComparisonValidator { MemberToCompare: null, ValueToCompare: var value } comparison when IsNumber(value):
                switch (comparison.Comparison)
                {
                    case Comparison.GreaterThan or Comparison.GreaterThanOrEqual:
                        Minimum(schema, comparison.ValueToCompare, comparison.Comparison == Comparison.GreaterThan);
                        break;
                    case Comparison.LessThan or Comparison.LessThanOrEqual:
                        Maximum(schema, comparison.ValueToCompare, comparison.Comparison == Comparison.LessThan);
                        break;
                }

                break;
            case IRegularExpressionValidator regex:
                // .NET's end of text \z is ECMA's $ (the validators avoid .NET's $, which allows a final line break).
                schema.Pattern ??= regex.Expression.EndsWith(@"\z", StringComparison.Ordinal) ? regex.Expression[..^2] + "$" : regex.Expression;
                break;
            case IMaxItemsValidator items:
                schema.MaxItems = Math.Min(schema.MaxItems ?? int.MaxValue, items.Max);
                break;
        }
    }

    private static void Minimum(OpenApiSchema schema, object value, bool exclusive)
    {
        if (exclusive)
        {
            schema.ExclusiveMinimum = Number(value);
        }
        else
        {
            schema.Minimum = Number(value);
        }
    }

    private static void Maximum(OpenApiSchema schema, object value, bool exclusive)
    {
        if (exclusive)
        {
            schema.ExclusiveMaximum = Number(value);
        }
        else
        {
            schema.Maximum = Number(value);
        }
    }

    private static string Number(object value) => Convert.ToString(value, CultureInfo.InvariantCulture)!;

    /// <summary>Only numbers become <c>minimum</c>/<c>maximum</c>; a comparison of dates is the validator's alone.</summary>
    private static bool IsNumber(object? value) => value is int or long or short or decimal or double or float;

    private static bool IsCollectionRule(IValidationRule rule) =>
        rule.GetType().GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICollectionRule<,>));
}

/// <summary>Every path and query parameter states the length <see cref="InputGuard"/> enforces for it.</summary>
public sealed class ParameterLimitsOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter { Schema: OpenApiSchema schema } p && p.Name is { } name)
            {
                schema.MaxLength = Limits.MaxLengthOf(name);
            }
        }
    }
}

/// <summary>
/// States the bounds of what the service answers (ADR 23): the schemas no request uses get
/// <see cref="Limits.MaxAnswerText"/> for text, <see cref="Limits.MaxAnswerItems"/> for lists and their format's range
/// for integers. Request schemas are left alone: their limits come from the validators, and one missing shows.
/// </summary>
public sealed class AnswerBoundsDocumentFilter : IDocumentFilter
{
    /// <summary>An XRechnung of the most lines a contract can hold stays below this.</summary>
    public const int MaxXmlLength = 16 * 1024 * 1024;

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schemas = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        var requested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var body in OperationsOf(document).Select(o => o.RequestBody).OfType<IOpenApiRequestBody>())
        {
            foreach (var media in body.Content?.Values ?? [])
            {
                Reach(media.Schema, schemas, requested);
            }
        }

        foreach (var (name, schema) in schemas.Where(s => !requested.Contains(s.Key)))
        {
            Bound(schema);
        }

        foreach (var response in OperationsOf(document).SelectMany(o => o.Responses?.Values ?? Enumerable.Empty<IOpenApiResponse>()))
        {
            foreach (var (mediaType, media) in response.Content ?? new Dictionary<string, IOpenApiMediaType>())
            {
                if (mediaType.Contains("xml", StringComparison.Ordinal) && media.Schema is OpenApiSchema xml)
                {
                    xml.MaxLength ??= MaxXmlLength;
                }

                Bound(media.Schema);
            }
        }
    }

    internal static IEnumerable<OpenApiOperation> OperationsOf(OpenApiDocument document) =>
        document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>());

    private static void Reach(IOpenApiSchema? schema, IDictionary<string, IOpenApiSchema> schemas, HashSet<string> reached)
    {
        switch (schema)
        {
            case OpenApiSchemaReference { Reference.Id: { } id }:
                if (reached.Add(id) && schemas.TryGetValue(id, out var target))
                {
                    Reach(target, schemas, reached);
                }

                break;
            case OpenApiSchema inline:
                foreach (var child in Children(inline))
                {
                    Reach(child, schemas, reached);
                }

                break;
        }
    }

    private static void Bound(IOpenApiSchema? schema)
    {
        if (schema is not OpenApiSchema s)
        {
            return; // a reference: its component is bounded by itself
        }

        var type = s.Type ?? 0;
        if (type.HasFlag(JsonSchemaType.String) && s.MaxLength is null && s.Enum is not { Count: > 0 } && s.Const is null)
        {
            s.MaxLength = Limits.MaxAnswerText;
        }

        if (type.HasFlag(JsonSchemaType.Integer))
        {
            var wide = s.Format == "int64";
            s.Minimum ??= wide ? long.MinValue.ToString(CultureInfo.InvariantCulture) : int.MinValue.ToString(CultureInfo.InvariantCulture);
            s.Maximum ??= wide ? long.MaxValue.ToString(CultureInfo.InvariantCulture) : int.MaxValue.ToString(CultureInfo.InvariantCulture);
        }

        if (type.HasFlag(JsonSchemaType.Array))
        {
            s.MaxItems ??= Limits.MaxAnswerItems;
        }

        foreach (var child in Children(s))
        {
            Bound(child);
        }
    }

    private static IEnumerable<IOpenApiSchema> Children(OpenApiSchema s) =>
        (s.Properties?.Values ?? [])
        .Concat(s.Items is null ? [] : [s.Items])
        .Concat(s.AdditionalProperties is null ? [] : [s.AdditionalProperties])
        .Concat(s.AllOf ?? []).Concat(s.OneOf ?? []).Concat(s.AnyOf ?? []);
}
