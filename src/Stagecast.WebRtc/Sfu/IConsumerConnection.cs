using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// The connection a <see cref="SfuConsumer"/> sends on: a RealtimeKit receive transport (<see cref="SfuReceiveSession"/>)
/// or a WHEP subscription. It protects and sends what the consumer forwards, numbering each packet transport-wide when
/// the client offered that (<see cref="TransportSequenceId"/>).
/// </summary>
internal interface IConsumerConnection
{
    string Id { get; }

    WebRtcTransport Transport { get; }

    bool IsConnected { get; }

    /// <summary>The id the client's offer gave the transport-wide sequence number (one-byte form), or 0: not negotiated.</summary>
    int TransportSequenceId { get; }

    void Send(ReadOnlySpan<byte> packet);

    void SendReport(ReadOnlySpan<byte> packet);

    /// <summary><paramref name="consumer"/>'s stream now sends video in <paramref name="encodingName"/>, which its m-line was not negotiated for.</summary>
    void CannotCarry(SfuConsumer consumer, string encodingName);
}
