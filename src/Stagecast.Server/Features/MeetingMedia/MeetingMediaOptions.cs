using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>Meeting media settings (configuration section <c>Stagecast:MeetingMedia</c>).</summary>
public sealed class MeetingMediaOptions
{
    public const string Section = "Stagecast:MeetingMedia";

    /// <summary>Peers that may publish in one meeting at once (each sends to every other: the SFU's cost grows with the square).</summary>
    [Range(1, 1000)]
    public int MaxPublishersPerMeeting { get; set; } = 25;

    /// <summary>How long a source whose connection dropped waits for the same peer to publish it again before its subscribers are let go.</summary>
    [Duration("00:00:00")]
    public TimeSpan RepublishWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A publisher that sends nothing (RTP or RTCP) this long is gone: its sources end without waiting 30 s for ICE consent.</summary>
    [Duration("00:00:01")]
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the audio levels are read to follow who speaks.</summary>
    [Duration("00:00:00.050")]
    public TimeSpan SpeakerInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
