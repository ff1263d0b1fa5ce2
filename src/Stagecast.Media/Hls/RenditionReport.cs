namespace Stagecast.Media.Hls;

/// <summary>EXT-X-RENDITION-REPORT (RFC 8216bis 4.4.5.4): another rendition's playlist and its newest part.</summary>
public readonly record struct RenditionReport(string Uri, long LastMsn, int LastPart);
