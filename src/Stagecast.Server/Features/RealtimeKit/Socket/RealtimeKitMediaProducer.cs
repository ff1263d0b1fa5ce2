using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// One track a RealtimeKit client produces on its send transport: its microphone or camera, on the m-line
/// <paramref name="Mid"/> the client gave it, sent in <paramref name="Codec"/>; paused is muted.
/// </summary>
public sealed class RealtimeKitMediaProducer(string id, bool video, string mid, RtpCodec codec, string transportId, string? appData, bool paused)
{
    public string Id { get; } = id;

    public bool Video { get; } = video;

    public string Mid { get; } = mid;

    public bool Paused { get; set; } = paused;

    /// <summary>The producer as the room's other clients are told about it.</summary>
    public ProducerState State => new()
    {
        ProducerId = Id,
        Kind = Video ? ProducerKind.Video : ProducerKind.Audio,
        Pause = Paused,
        ScreenShare = false,
        AppData = appData ?? "",
        ProducingTransportId = transportId,
        MimeType = MimeType,
        Codec = new Codec { MimeType = MimeType, ClockRate = codec.ClockRate, Channels = codec.Channels, PayloadType = (uint)codec.PayloadType },
    };

    private string MimeType => $"{(Video ? "video" : "audio")}/{codec.Name}";
}
