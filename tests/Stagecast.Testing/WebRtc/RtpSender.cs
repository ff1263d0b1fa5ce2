using System.Buffers.Binary;

namespace Stagecast.Testing.WebRtc;

/// <summary>
/// Synthetic RTP a test's WebRTC client sends, a packet per <see cref="Send()"/>, numbered and timed as a real sender's:
/// Opus frames of silence (20 ms each), which may carry their level (RFC 6464, <see cref="Level"/>), or H.264 pictures
/// (an IDR slice alone, 30 a second, or a non-IDR one: <see cref="Send(bool)"/>), on one SSRC of its own or the one given.
/// </summary>
public sealed class RtpSender
{
    private static readonly byte[] Idr = [0x65, 0x88, 0x84, 0x00, 0x33];
    private static readonly byte[] NonIdr = [0x41, 0x9A, 0x02, 0x00, 0x33];

    private readonly WebRtcClient _client;
    private readonly byte _payloadType;
    private readonly uint _step;
    private readonly byte[] _payload;
    private readonly uint _ssrc;
    private ushort _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
    private uint _timestamp;

    private RtpSender(WebRtcClient client, byte payloadType, uint step, byte[] payload, uint? ssrc)
    {
        _client = client;
        _payloadType = payloadType;
        _step = step;
        _payload = payload;
        _ssrc = ssrc ?? (uint)Random.Shared.Next(1, int.MaxValue);
    }

    /// <summary>The RTP timestamp of the last packet sent (a forwarding server keeps it, so a test can tell which packet arrived).</summary>
    public uint Timestamp => _timestamp;

    /// <summary>
    /// The level each Opus packet carries (RFC 6464: -dBov, 0 loudest, 127 silence) under
    /// <see cref="WhipClient.AudioLevelExtensionId"/>, or null for none.
    /// </summary>
    public int? Level { get; set; }

    /// <summary>Opus, with its <paramref name="level"/> in each packet when given.</summary>
    public static RtpSender Opus(WebRtcClient client, int? level = null, uint? ssrc = null) =>
        new(client, WhipClient.AudioPayloadType, 960, [0xFC, 0xFF, 0xFE], ssrc) { Level = level };

    public static RtpSender H264(WebRtcClient client, uint? ssrc = null) => new(client, 0x80 | WhipClient.VideoPayloadType, 3000, Idr, ssrc);

    /// <summary>The next packet: an Opus frame, or an H.264 keyframe.</summary>
    public void Send() => Send(keyframe: true);

    /// <summary>The next packet; H.264 as a keyframe (IDR) or not (a non-IDR slice).</summary>
    public void Send(bool keyframe) => Send(_payload == Idr && !keyframe ? NonIdr : _payload);

    /// <summary>The next packet with <paramref name="payload"/> (an Opus packet of real audio, say).</summary>
    public void Send(ReadOnlySpan<byte> payload)
    {
        int extension = Level is null ? 0 : 8;
        var packet = new byte[12 + extension + payload.Length];
        packet[0] = (byte)(extension > 0 ? 0x90 : 0x80);
        packet[1] = _payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), _timestamp += _step);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), _ssrc);
        if (Level is { } level)
        {
            // RFC 8285 4.2: one-byte header extensions, one word: the level's element (length 1) and padding.
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), 0xBEDE0001);
            packet[16] = WhipClient.AudioLevelExtensionId << 4;
            packet[17] = (byte)(0x80 | Math.Clamp(level, 0, 127)); // V: voice activity
        }

        payload.CopyTo(packet.AsSpan(12 + extension));
        _client.SendRtp(packet);
    }

    /// <summary>Whether a received H.264 packet (decrypted, header and payload) is a keyframe's, as this sender writes them.</summary>
    public static bool IsKeyframe(ReadOnlySpan<byte> packet) =>
        Stagecast.Media.Rtp.RtpHeader.TryGetLength(packet, out int header) && header < packet.Length && (packet[header] & 0x1F) == 5;
}
