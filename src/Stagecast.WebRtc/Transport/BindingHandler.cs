using System.Text;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Binding requests on the shared port, as an ICE-lite agent answers them (RFC 8445 section 7.3): the USERNAME names
/// the session (<c>our-ufrag:their-ufrag</c>), MESSAGE-INTEGRITY must verify under its password and FINGERPRINT must
/// match, before anything is stored or answered. A valid one validates its path for the session and is answered with
/// the address it came from.
/// </summary>
internal static class BindingHandler
{
    public static void Handle(ReadOnlySpan<byte> packet, IcePath from, WebRtcSessionRegistry sessions)
    {
        if (!StunMessage.TryParse(packet, out var message) || message.Type != StunMessage.BindingRequest
            || !message.TryGetAttribute(StunAttribute.Username, out var username))
        {
            return;
        }

        int colon = username.IndexOf((byte)':');
        if (colon <= 0 || colon > 64)
        {
            return;
        }

        string ufrag = Encoding.ASCII.GetString(username[..colon]);
        if (sessions.FindByUfrag(ufrag) is not { } peer || !message.VerifyIntegrity(peer.Ice.Credentials.PasswordBytes) || !message.VerifyFingerprint()
            || !username[(colon + 1)..].SequenceEqual(Encoding.ASCII.GetBytes(peer.Ice.RemoteUfrag)))
        {
            return;
        }

        if (from is IceTcpConnection tcp)
        {
            tcp.Peer ??= peer;
            if (!ReferenceEquals(tcp.Peer, peer))
            {
                return; // one ICE-TCP connection serves one session
            }
        }

        if (peer.Ice.OnBinding(from, message.HasAttribute(StunAttribute.UseCandidate)))
        {
            sessions.Route(peer, from);
        }

        Span<byte> response = stackalloc byte[StunWriter.MaxResponseLength];
        int written = StunWriter.WriteBindingSuccess(response, message.TransactionId, from.EndPoint, peer.Ice.Credentials.PasswordBytes);
        from.Send(response[..written]);
    }
}
