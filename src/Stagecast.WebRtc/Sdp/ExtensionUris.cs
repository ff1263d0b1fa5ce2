namespace Stagecast.WebRtc.Sdp;

/// <summary>The RTP header extensions Stagecast negotiates, by the URI an <c>a=extmap</c> line names (RFC 8285).</summary>
public static class ExtensionUris
{
    /// <summary>The client-to-mixer audio level (RFC 6464).</summary>
    public const string AudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /// <summary>
    /// The transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01): one numbering across every
    /// stream of a connection, which the receiver's feedback reports on (<see cref="Rtcp.TransportFeedback"/>).
    /// </summary>
    public const string TransportWideCc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>The id <paramref name="offer"/> gives the transport-wide sequence number in its one-byte form (1 to 14), or 0: not offered.</summary>
    public static int TransportWideCcId(SdpSessionDescription offer) =>
        offer.Media.Select(m => m.Extensions.GetValueOrDefault(TransportWideCc)).FirstOrDefault(id => id is > 0 and < 15);
}
