using Microsoft.Extensions.Logging;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer of a WebRTC publisher (a WHIP publish, or a meeting peer's source), fed its RTP as it came through
/// the hub: each track a <see cref="SfuConsumer"/>, as a RealtimeKit client's consumers are (the viewer's payload types,
/// SSRCs and sequence numbers; video from a keyframe, the publisher asked for one; when the publisher is replaced, a
/// reconnect, it waits for the new one's keyframe and carries on; NACKs answered from what was sent). The video may read
/// one of the publisher's simulcast layers (<paramref name="layers"/>, the full picture first), and the session's
/// <see cref="SubscriberDownlink"/> chooses which: the one that flows, and with the viewer's transport-wide feedback
/// (<see cref="WhepNegotiation.TransportSequenceId"/>) the one its downlink carries, paused when none does; it looks
/// every <see cref="SubscriberDownlink.LayerCheck"/> only once it has either. A publisher that goes over to a codec the
/// viewer was not answered with closes the session.
/// </summary>
public sealed class ForwardingWhepSession : WhepSession, IConsumerConnection, ISubscriberConnection
{
    private readonly SubscriberDownlink _downlink;
    private readonly Func<uint, SfuConsumer?> _consumerOf;
    private ITimer? _layerCheck;

    /// <param name="layers">The streams of the publisher's simulcast layers, <paramref name="stream"/> first (the viewer's ceiling); empty: it alone.</param>
    public ForwardingWhepSession(WebRtcTransport transport, SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, ILogger logger,
        IReadOnlyList<HubStream>? layers = null)
        : base(transport, offer, negotiation, clientAddress, stream, logger)
    {
        _downlink = new SubscriberDownlink(transport, negotiation.TransportSequenceId, StartLayerCheck);
        string MidOf(RtpCodec codec) => negotiation.Media.First(m => ReferenceEquals(m.Codec, codec)).Offer.Mid;
        Video = negotiation.Video is { } video ? new SfuConsumer(this, stream, video: true, video, MidOf(video), "", negotiation.VideoRtx, negotiation.VideoSsrc) : null;
        Audio = negotiation.Audio is not { } audio ? null
            : new SfuConsumer(this, stream, video: false, audio, MidOf(audio), "", ssrc: negotiation.AudioSsrc) { CountsAsViewer = Video is null }; // one viewer, counted once
        Consumers = [.. new[] { Video, Audio }.OfType<SfuConsumer>()];
        _consumerOf = ssrc => ssrc == Video?.Ssrc ? Video : ssrc == Audio?.Ssrc ? Audio : null;
        if (Video is not null && layers is { Count: > 1 })
        {
            Video.Read(layers);
        }

        // Without layers to choose among nor an estimate to choose by (yet), there is nothing to look at every 250 ms.
        if (layers is { Count: > 1 })
        {
            StartLayerCheck();
        }
    }

    /// <summary>The video track (null when the viewer takes none).</summary>
    public SfuConsumer? Video { get; }

    /// <summary>The audio track (null when the viewer takes none).</summary>
    public SfuConsumer? Audio { get; }

    /// <summary>Its tracks, video first.</summary>
    public IReadOnlyList<SfuConsumer> Consumers { get; }

    /// <summary>What the downlink carries, as far as the viewer's transport-wide feedback tells (null before any, or without it).</summary>
    public DownlinkFigures? Estimate => _downlink.Estimate;

    /// <summary>Video packets sent again for the viewer's NACKs.</summary>
    public long Retransmitted => Video?.Retransmitted ?? 0;

    int IConsumerConnection.TransportSequenceId => _downlink.TransportSequenceId;

    void IConsumerConnection.Send(ReadOnlySpan<byte> packet) => SendRtp(packet);

    void IConsumerConnection.SendReport(ReadOnlySpan<byte> packet) => SendRtcp(packet);

    void IConsumerConnection.CannotCarry(SfuConsumer consumer, string encodingName) =>
        // This session cannot carry it without a new offer.
        Close($"the publisher now sends {encodingName}; this session was negotiated for {consumer.Codec.Name}: ask again (a new offer)");

    protected override void OnSending(Span<byte> packet) => _downlink.Stamp(packet);

    /// <summary>Its video's layer is chosen every <see cref="SubscriberDownlink.LayerCheck"/> from now on (once).</summary>
    private void StartLayerCheck()
    {
        if (Video is null || Volatile.Read(ref _layerCheck) is not null)
        {
            return;
        }

        var timer = Transport.Time.CreateTimer(_ => _downlink.Follow(Consumers), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (Interlocked.CompareExchange(ref _layerCheck, timer, null) is not null)
        {
            timer.Dispose();
            return;
        }

        timer.Change(SubscriberDownlink.LayerCheck, SubscriberDownlink.LayerCheck);
        if (IsClosed)
        {
            Interlocked.Exchange(ref _layerCheck, null)?.Dispose(); // closed meanwhile
        }
    }

    protected override void OnConnected()
    {
        foreach (var consumer in Consumers)
        {
            consumer.Start();
        }

        Stream.Ending.Register(() => Close("the stream ended"));
        WhepLog.ConnectedForwarded(Logger, Stream.Id, Remote);
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet) => _downlink.OnRtcp(packet, _consumerOf);

    protected override void OnClosed(string reason)
    {
        Interlocked.Exchange(ref _layerCheck, null)?.Dispose();
        foreach (var consumer in Consumers)
        {
            consumer.Stop();
        }

        WhepLog.Left(Logger, Stream.Id, reason);
    }
}
