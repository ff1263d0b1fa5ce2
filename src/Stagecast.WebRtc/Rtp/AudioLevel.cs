namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// The client-to-mixer audio level (RFC 6464): each audio packet tells how loud it is, in -dBov from 0 (loudest) to
/// 127 (silence), and whether the sender thinks it is voice. Negotiated as <see cref="Sdp.ExtensionUris.AudioLevel"/>.
/// </summary>
public static class AudioLevel
{
    /// <summary>Silence, as RFC 6464 writes it.</summary>
    public const int Silence = 127;

    /// <summary>The packet's level (0-127 -dBov) under extension <paramref name="id"/>; false when it carries none.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, int id, out int level)
    {
        level = Silence;
        if (!RtpExtensions.TryFind(packet, id, out var value) || value.IsEmpty)
        {
            return false;
        }

        level = value[0] & 0x7F;
        return true;
    }
}
