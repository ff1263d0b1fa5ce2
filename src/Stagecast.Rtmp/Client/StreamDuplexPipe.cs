using System.IO.Pipelines;

namespace Stagecast.Rtmp.Client;

/// <summary>A duplex pipe over a network stream (TCP or TLS) that owns the stream.</summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe, IAsyncDisposable
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
