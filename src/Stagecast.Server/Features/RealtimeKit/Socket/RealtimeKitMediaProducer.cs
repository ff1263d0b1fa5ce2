using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.Rooms;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// One track a RealtimeKit client produces on its send transport: its microphone or camera, or its screen share's
/// video or audio (<paramref name="screenShare"/>), on the m-line <paramref name="mid"/> the client gave it, sent in
/// <paramref name="codec"/> to the peer's meeting stream of that source <paramref name="streamId"/>; paused is muted.
/// A track of a peer publishing otherwise is mirrored as one (no mid).
/// </summary>
public sealed class RealtimeKitMediaProducer(
    RoomPeer peer, string streamId, bool video, bool screenShare, string mid, RtpCodec codec, string transportId, string? appData, bool paused)
{
    private static long _created;

    public string Id { get; } = Guid.NewGuid().ToString();

    public RoomPeer Peer { get; } = peer;

    public string StreamId { get; } = streamId;

    public bool Video { get; } = video;

    public bool ScreenShare { get; } = screenShare;

    public string Mid { get; } = mid;

    /// <summary>The id of the connection it comes on (the publisher's session).</summary>
    public string TransportId { get; } = transportId;

    public RtpCodec Codec { get; } = codec;

    public bool Paused { get; set; } = paused;

    /// <summary>The order producers were made in, for listing a peer's.</summary>
    public long Created { get; } = Interlocked.Increment(ref _created);

    /// <summary>The producer as the room's other clients are told about it.</summary>
    public ProducerState State => new()
    {
        ProducerId = Id,
        Kind = Video ? ProducerKind.Video : ProducerKind.Audio,
        Pause = Paused,
        ScreenShare = ScreenShare,
        AppData = appData ?? "",
        ProducingTransportId = TransportId,
        MimeType = MimeType,
        Codec = new Codec { MimeType = MimeType, ClockRate = Codec.ClockRate, Channels = Codec.Channels, PayloadType = (uint)Codec.PayloadType },
    };

    private string MimeType => $"{(Video ? "video" : "audio")}/{Codec.Name}";
}
