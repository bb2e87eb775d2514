using System.Text.Json.Serialization;
using Cooperation.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace Cooperation.Api.Calls;

/// <summary>
/// One whole call as a telephony system exports it (a call detail record): one line of a batch. It is the
/// offer, answer or abandon, and completion requests in one, and is judged by exactly their rules.
/// </summary>
[ValidatedAs(typeof(OfferCall), typeof(AnswerCall), typeof(AbandonCall), typeof(CompleteCall))]
public sealed record CallRecord(
    string? CallId,
    string? ContractId,
    string? ServiceLine,
    DateTimeOffset? OfferedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? AbandonedAt,
    string? AgentId,
    DateTimeOffset? CompletedAt,
    CallOutcome? Outcome,
    string? Topic,
    string? Department,
    string? Caller)
{
    // The line's steps, not members of the line (the document states the members only).
    [JsonIgnore]
    public OfferCall Offer => new(CallId, ContractId, ServiceLine, OfferedAt, Caller);

    [JsonIgnore]
    public AnswerCall? Answer => AnsweredAt is null && AgentId is null ? null : new(AnsweredAt, AgentId);

    [JsonIgnore]
    public AbandonCall? Abandon => AbandonedAt is null ? null : new(AbandonedAt);

    [JsonIgnore]
    public CompleteCall? Complete => CompletedAt is null && Outcome is null && Topic is null && Department is null
        ? null
        : new(CompletedAt, Outcome, Topic, Department, null, null);
}

/// <summary>The per-line verdict before any state is looked at: the request validators of each step, and how steps combine.</summary>
public sealed class CallRecordRules(
    IValidator<OfferCall> offer, IValidator<AnswerCall> answer, IValidator<AbandonCall> abandon, IValidator<CompleteCall> complete)
{
    public Dictionary<string, string[]> Check(CallRecord record)
    {
        var errors = RequestValidation.ToErrors(offer.Validate(record.Offer));
        void Merge(FluentValidation.Results.ValidationResult result)
        {
            foreach (var (field, messages) in RequestValidation.ToErrors(result))
            {
                errors.TryAdd(field, messages);
            }
        }

        if (record.Answer is { } answered)
        {
            Merge(answer.Validate(answered));
        }

        if (record.Abandon is { } abandoned)
        {
            Merge(abandon.Validate(abandoned));
        }

        if (record.Complete is { } completed)
        {
            Merge(complete.Validate(completed));
        }

        if (record.AnsweredAt is not null && record.AbandonedAt is not null)
        {
            errors.TryAdd("abandonedAt", ["A call is answered or abandoned, never both."]);
        }

        if (record.Complete is not null && record.AnsweredAt is null)
        {
            errors.TryAdd("completedAt", ["Only an answered call is completed: the record has no 'answeredAt'."]);
        }

        return errors;
    }
}

/// <summary>What a batch line came to.</summary>
public sealed record RejectedLine(long Line, string? CallId, int Status, IDictionary<string, string[]> Errors)
{
    public static RejectedLine From(long line, string? callId, ProblemDetails problem) => new(
        line, callId, problem.Status ?? StatusCodes.Status400BadRequest,
        problem.Extensions.TryGetValue(Problems.ErrorsKey, out var errors) && errors is IDictionary<string, string[]> fields
            ? fields
            : new Dictionary<string, string[]> { ["$"] = [problem.Detail ?? problem.Title ?? "Refused."] });
}

/// <summary>
/// The answer to a batch. <c>Rejected</c> lists at most <see cref="CallImport.MaxRejectedListed"/> lines;
/// <c>RejectedCount</c> counts them all.
/// </summary>
public sealed record BatchResult(long Accepted, long Duplicates, IReadOnlyList<RejectedLine> Rejected, long RejectedCount, long Lines);
