namespace Stagecast.WebRtc.Congestion;

/// <summary>
/// One packet a transport-wide feedback reports on: when it was sent (µs on our clock), its size in bytes, and when it
/// arrived (µs on the receiver's clock), or -1 when the receiver reports it lost.
/// </summary>
public readonly record struct PacketResult(long SentMicros, int Size, long ArrivedMicros)
{
    public bool Received => ArrivedMicros >= 0;
}
