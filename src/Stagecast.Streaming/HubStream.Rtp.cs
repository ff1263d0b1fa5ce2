using Stagecast.Media.Rtp;

namespace Stagecast.Streaming;

/// <summary>
/// The RTP side of a stream (MediaMTX's stream carries RTP packets beside frames the same way): a WebRTC publisher's
/// packets go, as they came, to the stream's RTP readers, which forward them without the frame path. Frames and RTP
/// are two views of one broadcast with one list of readers.
/// </summary>
public sealed partial class HubStream
{
    private HubStreamReader[] _rtpReaders = [];

    /// <summary>The video track's RTP format while a publisher sends RTP (WebRTC), else null.</summary>
    public RtpTrackFormat? RtpVideo { get; private set; }

    /// <summary>The audio track's RTP format while a publisher sends RTP (WebRTC), else null.</summary>
    public RtpTrackFormat? RtpAudio { get; private set; }

    /// <summary>
    /// Adds a reader of the publisher's RTP, handled inline on the publisher's thread. It sees packets from now on
    /// (ask the publisher for a keyframe with <see cref="RequestKeyframe"/> to start on one). Dispose it to detach.
    /// </summary>
    public HubStreamReader AddRtpReader(string name, IRtpSink sink, ReaderOptions? options = null)
    {
        lock (_sync)
        {
            var reader = new HubStreamReader(this, name, options ?? ReaderOptions.Default, waitForKeyframe: false, sink: null, rtp: sink);
            if (State == HubStreamState.Ended)
            {
                reader.Complete();
                return reader;
            }

            _readers = [.. _readers, reader];
            _rtpReaders = [.. _rtpReaders, reader];
            return reader;
        }
    }

    internal void SetRtpFormats(Publisher publisher, RtpTrackFormat? video, RtpTrackFormat? audio)
    {
        lock (_sync)
        {
            if (publisher == Publisher)
            {
                (RtpVideo, RtpAudio) = (video, audio);
            }
        }
    }

    internal void WriteRtp(Publisher publisher, ReadOnlySpan<byte> packet, bool video)
    {
        if (publisher != Publisher)
        {
            return;
        }

        publisher.Touch(video, RtpHeader.IsPaddingOnly(packet) ? 0 : packet.Length); // a layer's rate is its media's, not its probes'
        foreach (var reader in Volatile.Read(ref _rtpReaders))
        {
            reader.OfferRtp(packet, video);
        }
    }

    internal void WriteSenderReport(Publisher publisher, bool video, ulong ntpTime, uint rtpTimestamp)
    {
        if (publisher != Publisher)
        {
            return;
        }

        foreach (var reader in Volatile.Read(ref _rtpReaders))
        {
            reader.OfferSenderReport(video, ntpTime, rtpTimestamp);
        }
    }

    internal void RestartRtp(Publisher publisher, bool video)
    {
        if (publisher != Publisher)
        {
            return;
        }

        foreach (var reader in Volatile.Read(ref _rtpReaders))
        {
            reader.OfferRtpRestarted(video);
        }
    }

    /// <summary>The RTP publisher left (caller holds <see cref="_sync"/>): its formats go, readers start over with the next.</summary>
    private void EndRtpSource()
    {
        if (RtpVideo is null && RtpAudio is null)
        {
            return;
        }

        (RtpVideo, RtpAudio) = (null, null);
        foreach (var reader in _rtpReaders)
        {
            reader.OfferRtpSourceChanged();
        }
    }

    private void RemoveRtpReader(HubStreamReader reader) => _rtpReaders = Array.FindAll(_rtpReaders, r => r != reader);
}
