using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Cooperation.Api.Infrastructure;

/// <summary>One line of an NDJSON body: its number (from 1), and the value read or why it could not be read.</summary>
public sealed record NdjsonLine<T>(long Number, T? Value, string? Field, string? Error);

/// <summary>
/// Reads newline-delimited JSON from a pipe as it arrives: one line in memory at a time, never the body.
/// A line longer than the limit is reported and skipped without being buffered; blank lines are skipped.
/// </summary>
public sealed class NdjsonReader<T>(PipeReader pipe, JsonSerializerOptions options, int maxLineBytes)
    where T : class
{
    private long _number;
    private bool _skippingLongLine;

    public async IAsyncEnumerable<NdjsonLine<T>> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var lines = new List<NdjsonLine<T>>();
        while (true)
        {
            var read = await pipe.ReadAsync(ct);
            var buffer = read.Buffer;
            Slice(ref buffer, read.IsCompleted, lines);
            pipe.AdvanceTo(buffer.Start, buffer.End);
            foreach (var line in lines)
            {
                yield return line;
            }

            lines.Clear();
            if (read.IsCompleted)
            {
                break;
            }
        }

        await pipe.CompleteAsync();
    }

    /// <summary>Takes every complete line off the front of <paramref name="buffer"/> (all of it once the body has ended).</summary>
    private void Slice(ref ReadOnlySequence<byte> buffer, bool ended, List<NdjsonLine<T>> lines)
    {
        while (true)
        {
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is null)
            {
                if (_skippingLongLine)
                {
                    buffer = buffer.Slice(buffer.End);
                    return;
                }

                if (buffer.Length > maxLineBytes)
                {
                    lines.Add(TooLong(++_number));
                    _skippingLongLine = !ended;
                    buffer = buffer.Slice(buffer.End);
                    return;
                }

                if (ended && buffer.Length > 0)
                {
                    Add(buffer, lines);
                    buffer = buffer.Slice(buffer.End);
                }

                return;
            }

            var line = buffer.Slice(0, newline.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
            if (_skippingLongLine)
            {
                _skippingLongLine = false; // the rest of a line already reported
            }
            else if (line.Length > maxLineBytes)
            {
                lines.Add(TooLong(++_number));
            }
            else
            {
                Add(line, lines);
            }
        }
    }

    private void Add(ReadOnlySequence<byte> line, List<NdjsonLine<T>> lines)
    {
        var number = ++_number;
        if (IsBlank(line))
        {
            return;
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            var value = JsonSerializer.Deserialize<T>(ref reader, options);
            lines.Add(value is null
                ? new NdjsonLine<T>(number, null, "$", "The line must hold a JSON object.")
                : new NdjsonLine<T>(number, value, null, null));
        }
        catch (JsonException e)
        {
            var (field, message) = Problems.DescribeJsonError(e.Message);
            lines.Add(new NdjsonLine<T>(number, null, field, message));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
        {
            lines.Add(new NdjsonLine<T>(number, null, "$", "is not a valid call record"));
        }
    }

    private NdjsonLine<T> TooLong(long number) =>
        new(number, null, "$", $"The line is longer than {maxLineBytes} bytes: one call record a line is far shorter.");

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
