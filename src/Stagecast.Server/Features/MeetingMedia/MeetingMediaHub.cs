using Microsoft.Extensions.Options;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// The hub of meeting media: one stream per peer and source (<c>{meeting}/{peer}/{source}</c>), published by the
/// peer's WHIP session as RTP and read by the other peers' subscriptions (and, later, the compositor and recorder).
/// A hub of its own, apart from the livestreams' one, so LL-HLS, restream outputs and livestream sessions never see
/// a participant's camera; a stream whose publisher dropped waits <see cref="MeetingMediaOptions.RepublishWindow"/>.
/// </summary>
public sealed class MeetingMediaHub(IOptions<MeetingMediaOptions> options, TimeProvider time, ILogger<StreamHub> logger)
{
    public StreamHub Hub { get; } = new(
        Options.Create(new StreamHubOptions { ReconnectWindow = options.Value.RepublishWindow }), time, [], logger);

    public static string StreamId(string meetingId, string peerId, MediaSource source) => $"{meetingId}/{peerId}/{source.Name()}";
}
