using System.IO.Pipelines;

namespace Stagecast.Transport.Epoll;

/// <summary>The application's ends of a connection's two pipes.</summary>
public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}
