using Stagecast.WebRtc.Dtls;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// One port carries STUN, DTLS and SRTP/SRTCP; the first byte tells them apart (RFC 7983): 0-3 STUN, 20-63 DTLS,
/// 128-191 RTP and RTCP. STUN is checked against the session it names; the rest goes only to the session a path
/// was validated for. Anything else in the map (TURN channels, ZRTP) is dropped.
/// </summary>
internal static class PacketDemux
{
    /// <summary>A packet that came on <paramref name="from"/>, whose session (if any) is <paramref name="peer"/>.</summary>
    public static void Dispatch(byte[] buffer, int length, IcePath from, WebRtcSession? peer, WebRtcSessionRegistry sessions)
    {
        if (length == 0)
        {
            return;
        }

        byte first = buffer[0];
        if (first <= 3)
        {
            BindingHandler.Handle(buffer.AsSpan(0, length), from, sessions);
            return;
        }

        if (peer is null)
        {
            return;
        }

        // The validated path it came on, when that is not the one we send on (the peer may be moving there).
        var other = peer.Ice.Selected is { } selected && selected.Equals(from) ? null : from;
        if (first is >= 20 and <= 63)
        {
            if (DtlsSession.IsRecord(buffer.AsSpan(0, length)))
            {
                peer.OnDtls(buffer.AsSpan(0, length), other);
            }
        }
        else if (first is >= 128 and <= 191)
        {
            peer.OnSrtp(buffer, length, other);
        }
    }
}
