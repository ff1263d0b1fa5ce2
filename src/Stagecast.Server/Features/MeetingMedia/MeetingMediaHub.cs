using Microsoft.Extensions.Options;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// The hub of meeting media: one stream per peer and source (<see cref="MeetingStreamKey.HubId"/>), published by the
/// peer's publishing connection (a WHIP session, a RealtimeKit send transport) as RTP and read by the consumers, the
/// compositor and the recorders.
/// A hub of its own, apart from the livestreams' one, so LL-HLS, restream outputs and livestream sessions never see
/// a participant's camera; a stream whose publisher dropped waits <see cref="MeetingMediaOptions.RepublishWindow"/>.
/// </summary>
public sealed class MeetingMediaHub(IOptions<MeetingMediaOptions> options, TimeProvider time, ILogger<StreamHub> logger)
{
    public StreamHub Hub { get; } = new(
        Options.Create(new StreamHubOptions { ReconnectWindow = options.Value.RepublishWindow }), time, [], logger);
}
