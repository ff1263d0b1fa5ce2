using Stagecast.Media.Codecs;

namespace Stagecast.Streaming;

/// <summary>
/// An ingest session's handle on the live stream it publishes to. Everything the publisher sends goes through
/// here; <see cref="Revoked"/> fires when the hub takes the stream away (takeover, disable, key reset).
/// </summary>
public sealed class Publisher : IDisposable
{
    private readonly CancellationTokenSource _revoked = new();
    private readonly TimeProvider _time;
    private long _lastActivity;
    private long _lastVideo;
    private long _rateWindowStart;
    private long _rateWindowBytes;
    private long _videoBps;
    private int _detached;

    /// <summary>How long a window its video rate is measured over.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromMilliseconds(500);

    internal Publisher(HubStream stream, PublisherInfo info, TimeProvider time)
    {
        Stream = stream;
        Info = info;
        _time = time;
        _lastActivity = time.GetTimestamp();
    }

    public HubStream Stream { get; }

    public PublisherInfo Info { get; }

    public CancellationToken Revoked => _revoked.Token;

    public string? RevokeReason { get; private set; }

    /// <summary>Set by ingests that can ask their encoder for a keyframe (WebRTC: PLI); called by <see cref="HubStream.RequestKeyframe"/>.</summary>
    public Action? KeyframeRequested { get; set; }

    /// <summary>
    /// Says which tracks it will configure (from its SDP, its PMT, its FLV metadata), before its first configuration:
    /// the stream holds everything back from readers until those configurations are known (see <see cref="HubStream.TracksKnown"/>).
    /// </summary>
    public void DeclareTracks(StreamTracks tracks) => Stream.DeclareTracks(this, tracks);

    public void SetVideoConfig(VideoTrackConfig config) => Stream.SetVideoConfig(this, config);

    public void SetAudioConfig(AudioTrackConfig config) => Stream.SetAudioConfig(this, config);

    public void SetMetadata(StreamMetadata metadata) => Stream.SetMetadata(this, metadata);

    /// <summary>Publishes a media frame; ownership of the caller's reference passes to the stream.</summary>
    public void Write(MediaFrame frame) => Stream.Write(this, frame);

    /// <summary>Says which RTP formats this publisher sends (WebRTC), so RTP readers can forward its packets.</summary>
    public void SetRtpFormats(RtpTrackFormat? video, RtpTrackFormat? audio) => Stream.SetRtpFormats(this, video, audio);

    /// <summary>Passes one of its RTP packets, as it arrived, to the stream's RTP readers.</summary>
    public void WriteRtp(ReadOnlySpan<byte> packet, bool video) => Stream.WriteRtp(this, packet, video);

    /// <summary>
    /// One of its RTP tracks starts afresh (a muted track resumes after packets were held back): RTP readers continue
    /// their own numbering from its next packet (video: from its next keyframe).
    /// </summary>
    public void RestartRtp(bool video) => Stream.RestartRtp(this, video);

    /// <summary>Passes its sender report for a track to the stream's RTP readers.</summary>
    public void WriteSenderReport(bool video, ulong ntpTime, uint rtpTimestamp) => Stream.WriteSenderReport(this, video, ntpTime, rtpTimestamp);

    /// <summary>Reports why this publisher is about to go away (malformed media, protocol violation).</summary>
    public void Fail(string error) => Stream.RecordPublisherError(this, error);

    /// <summary>The publisher stopped on purpose: the stream ends now, without a reconnect window.</summary>
    public void Unpublish()
    {
        if (Interlocked.Exchange(ref _detached, 1) == 0)
        {
            Stream.DetachPublisher(this, graceful: true);
        }
    }

    /// <summary>The connection went away: unless it unpublished, the stream waits for a reconnect.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _detached, 1) == 0)
        {
            Stream.DetachPublisher(this, graceful: false);
        }

        _revoked.Dispose();
    }

    /// <summary>How long the publisher has sent nothing; past the stale timeout another may take the stream over.</summary>
    public TimeSpan SilentFor => _time.GetElapsedTime(Volatile.Read(ref _lastActivity));

    /// <summary>
    /// Whether it sent video within <paramref name="window"/>: a simulcast layer its sender stopped (a browser drops its
    /// top layers when short of bandwidth or CPU) keeps its publisher and goes quiet.
    /// </summary>
    public bool SentVideoWithin(TimeSpan window)
    {
        long at = Volatile.Read(ref _lastVideo);
        return at != 0 && _time.GetElapsedTime(at) <= window;
    }

    /// <summary>
    /// The rate its RTP video arrives at (bit/s) over the last window of about half a second; 0 before a window was
    /// measured, or once it has sent no video for a second (a simulcast layer its sender stopped).
    /// </summary>
    public long VideoBitrate => SentVideoWithin(TimeSpan.FromSeconds(1)) ? Volatile.Read(ref _videoBps) : 0;

    /// <summary>Records activity (a frame or an RTP packet of <paramref name="bytes"/>, video or not) now and returns the timestamp used.</summary>
    internal long Touch(bool video, int bytes = 0)
    {
        long now = _time.GetTimestamp();
        Volatile.Write(ref _lastActivity, now);
        if (video)
        {
            Volatile.Write(ref _lastVideo, now);
            if (bytes > 0)
            {
                CountVideo(bytes, now);
            }
        }

        return now;
    }

    /// <summary>Counts RTP video toward its rate (its packets come one at a time, from its session).</summary>
    private void CountVideo(int bytes, long now)
    {
        if (_rateWindowStart == 0)
        {
            _rateWindowStart = now;
        }

        _rateWindowBytes += bytes;
        var elapsed = _time.GetElapsedTime(_rateWindowStart, now);
        if (elapsed >= RateWindow)
        {
            Volatile.Write(ref _videoBps, (long)(_rateWindowBytes * 8 / elapsed.TotalSeconds));
            (_rateWindowStart, _rateWindowBytes) = (now, 0);
        }
    }

    internal void Revoke(string reason)
    {
        RevokeReason ??= reason;
        try
        {
            _revoked.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already ended.
        }
    }
}
