namespace Stagecast.Testing;

/// <summary>FLV tag bodies as encoders send them over RTMP.</summary>
public static class FlvBodies
{
    public static byte[] AvcSequenceHeader(byte[] record) => [0x17, 0x00, 0, 0, 0, .. record];

    public static byte[] AvcFrame(bool keyframe, int compositionTime, byte[] avcc) =>
        [(byte)(keyframe ? 0x17 : 0x27), 0x01, (byte)(compositionTime >> 16), (byte)(compositionTime >> 8), (byte)compositionTime, .. avcc];

    public static byte[] HevcSequenceStart(byte[] record) => [0x90, (byte)'h', (byte)'v', (byte)'c', (byte)'1', .. record];

    public static byte[] HevcFrame(bool keyframe, int compositionTime, byte[] hvcc) =>
        [(byte)(keyframe ? 0x91 : 0xA1), (byte)'h', (byte)'v', (byte)'c', (byte)'1',
            (byte)(compositionTime >> 16), (byte)(compositionTime >> 8), (byte)compositionTime, .. hvcc];

    public static byte[] AacSequenceHeader(byte[] config) => [0xAF, 0x00, .. config];

    public static byte[] AacFrame(byte[] raw) => [0xAF, 0x01, .. raw];

    /// <summary>A fake length-prefixed NAL unit of a given size (content is irrelevant to the server).</summary>
    public static byte[] Nal(int size, byte fill = 0x41)
    {
        var nal = new byte[size + 4];
        nal[0] = (byte)(size >> 24);
        nal[1] = (byte)(size >> 16);
        nal[2] = (byte)(size >> 8);
        nal[3] = (byte)size;
        nal.AsSpan(4).Fill(fill);
        return nal;
    }
}
