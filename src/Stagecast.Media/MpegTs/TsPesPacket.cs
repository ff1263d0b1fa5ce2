namespace Stagecast.Media.MpegTs;

/// <summary>
/// A complete PES packet's payload: one or more access units of an elementary stream, with the PES timestamps
/// (unwrapped, 90 kHz). <see cref="Buffer"/> is rented from <see cref="MediaBufferPool"/>; the receiver returns it.
/// </summary>
/// <param name="Pts">Presentation time, or null when the PES header carries none (audio may omit it between PES packets).</param>
/// <param name="RandomAccess">The adaptation field's random access indicator on the PES's first packet.</param>
public readonly record struct TsPesPacket(TsElementaryStream Stream, long? Pts, long? Dts, byte[] Buffer, int Offset, int Length, bool RandomAccess)
{
    public ReadOnlySpan<byte> Payload => Buffer.AsSpan(Offset, Length);
}
