using System.IO.Pipelines;
using Stagecast.Transport.Epoll;

namespace Stagecast.Testing;

/// <summary>Two connected in-memory duplex pipes: what one side writes, the other reads.</summary>
public sealed class PipePair
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();

    public PipePair()
    {
        Server = new DuplexPipe(_toServer.Reader, _toClient.Writer);
        Client = new DuplexPipe(_toClient.Reader, _toServer.Writer);
    }

    public IDuplexPipe Server { get; }

    public IDuplexPipe Client { get; }
}
