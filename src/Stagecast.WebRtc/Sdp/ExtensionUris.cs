namespace Stagecast.WebRtc.Sdp;

/// <summary>The RTP header extensions Stagecast negotiates, by the URI an <c>a=extmap</c> line names (RFC 8285).</summary>
public static class ExtensionUris
{
    /// <summary>The client-to-mixer audio level (RFC 6464).</summary>
    public const string AudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
}
