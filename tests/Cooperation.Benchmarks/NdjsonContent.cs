using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Text.Json;
using Cooperation.Api.Calls;
using Cooperation.Api.Infrastructure;

namespace Cooperation.Benchmarks;

/// <summary>
/// A request body written line by line while the server reads it, so neither side ever holds the whole file:
/// the pipe's back-pressure paces the generator to the import.
/// </summary>
public sealed class NdjsonContent(IEnumerable<CallRecord> records, Action<long> progress) : HttpContent
{
    public const int ProgressEvery = 10_000;
    private const int FlushBytes = 32 * 1024;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var pipe = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        using (var json = new Utf8JsonWriter(pipe))
        {
            long lines = 0;
            foreach (var record in records)
            {
                JsonSerializer.Serialize(json, record, ApiJson.Options);
                json.Flush();
                json.Reset(); // one JSON document a line, not one document
                pipe.Write("\n"u8);
                if (++lines % ProgressEvery == 0)
                {
                    progress(lines);
                }

                if (pipe.UnflushedBytes >= FlushBytes)
                {
                    await pipe.FlushAsync();
                }
            }
        }

        await pipe.CompleteAsync();
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1; // sent chunked: the length is not known before the last line
        return false;
    }
}
