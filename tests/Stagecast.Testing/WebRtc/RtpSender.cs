using System.Buffers.Binary;

namespace Stagecast.Testing.WebRtc;

/// <summary>
/// Synthetic RTP a test's WebRTC client sends, a packet per <see cref="Send"/>, numbered and timed as a real sender's:
/// Opus frames of silence (20 ms each) or H.264 keyframes (an IDR slice alone, 30 a second), on one SSRC of its own.
/// </summary>
public sealed class RtpSender
{
    private readonly WebRtcClient _client;
    private readonly byte _payloadType;
    private readonly uint _step;
    private readonly byte[] _payload;
    private readonly uint _ssrc = (uint)Random.Shared.Next(1, int.MaxValue);
    private ushort _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
    private uint _timestamp;

    private RtpSender(WebRtcClient client, byte payloadType, uint step, byte[] payload)
    {
        _client = client;
        _payloadType = payloadType;
        _step = step;
        _payload = payload;
    }

    public static RtpSender Opus(WebRtcClient client) => new(client, WhipClient.AudioPayloadType, 960, [0xFC, 0xFF, 0xFE]);

    public static RtpSender H264(WebRtcClient client) => new(client, 0x80 | WhipClient.VideoPayloadType, 3000, [0x65, 0x88, 0x84, 0x00, 0x33]);

    public void Send()
    {
        var packet = new byte[12 + _payload.Length];
        packet[0] = 0x80;
        packet[1] = _payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), _timestamp += _step);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), _ssrc);
        _payload.CopyTo(packet, 12);
        _client.SendRtp(packet);
    }
}
