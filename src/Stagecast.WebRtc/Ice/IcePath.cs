using System.Net;

namespace Stagecast.WebRtc.Ice;

/// <summary>
/// Where a peer's packets come from and go to, as ICE chose it: a UDP address on the shared socket, or one ICE-TCP
/// connection (RFC 6544). Two UDP paths are equal when their addresses are; a TCP path is its connection.
/// </summary>
public abstract class IcePath
{
    public abstract IPEndPoint EndPoint { get; }

    public abstract bool IsTcp { get; }

    public abstract void Send(ReadOnlySpan<byte> packet);

    public override string ToString() => IsTcp ? $"tcp:{EndPoint}" : EndPoint.ToString();
}
