namespace Stagecast.Media.Codecs.Opus;

/// <summary>What the TOC byte of an Opus packet says (RFC 6716 section 3.1).</summary>
public static class OpusPacket
{
    public const int SampleRate = 48000;

    /// <summary>Samples (at 48 kHz) the packet decodes to, or 0 when it is malformed.</summary>
    public static int SampleCount(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }

        int config = packet[0] >> 3;
        int frameSize = config switch
        {
            < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 }, // SILK: 10, 20, 40, 60 ms
            < 16 => (config & 1) == 0 ? 480 : 960, // hybrid: 10, 20 ms
            _ => (config & 3) switch { 0 => 120, 1 => 240, 2 => 480, _ => 960 }, // CELT: 2.5, 5, 10, 20 ms
        };
        int frames = (packet[0] & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length > 1 ? packet[1] & 0x3F : 0,
        };
        int samples = frameSize * frames;
        return samples <= 5760 ? samples : 0; // at most 120 ms per packet
    }
}
