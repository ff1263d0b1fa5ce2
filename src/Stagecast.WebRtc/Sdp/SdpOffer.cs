using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Sdp;

/// <summary>
/// Writes an offer of Stagecast's on a connection the client opened with an offer of its own (RealtimeKit's receive
/// transport, to which the server adds the tracks it sends): the same ICE credentials and certificate, every section of
/// the connection in its place (RFC 8829 section 5.2.2: closed ones stay, port 0), the session id of the connection and
/// a version one higher than the last. The DTLS role is <c>actpass</c>, as an offer's must be; the client keeps the
/// role it took (active), the only one an ICE-lite, DTLS-passive server serves.
/// </summary>
public static class SdpOffer
{
    public static string Build(IceCredentials ice, string fingerprint, IReadOnlyList<IceCandidate> candidates, IReadOnlyList<SdpSection> media, string cname,
        long sessionId, long version) =>
        SdpWriter.Write(ice, fingerprint, candidates, media, cname, "actpass", sessionId, version);
}
