using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// One track a <see cref="SfuReceiveSession"/> sends on its own m-line (<see cref="Mid"/>): the audio or the video of a
/// meeting stream, forwarded as the publisher's RTP came through the hub (<see cref="ForwardedTrack"/>, as a meeting WHEP
/// subscription forwards it), with the payload type and SSRC of this m-line; the publisher is asked for a keyframe to
/// start with and after it was replaced or restarted. It reads the stream once started (the
/// client answered the offer that added it) and until stopped; the client's NACKs are answered from what it sent.
/// </summary>
public sealed class SfuConsumer : IRtpSink
{
    private readonly SfuReceiveSession _session;
    private readonly byte[] _forward = new byte[1500];
    private readonly SendHistory _history = new();
    private readonly NackResponder _nacks;
    private readonly SenderReporter _reports = new();
    private readonly ForwardedTrack _track;
    private HubStreamReader? _reader;
    private bool _answered;

    internal SfuConsumer(SfuReceiveSession session, HubStream stream, bool video, RtpCodec codec, string mid, string msid)
    {
        _session = session;
        Stream = stream;
        Video = video;
        Codec = codec;
        Mid = mid;
        Msid = msid;
        _track = new ForwardedTrack(codec, (uint)Random.Shared.Next(1, int.MaxValue), video);
        _nacks = new NackResponder(_history, Ssrc);
    }

    public HubStream Stream { get; }

    public bool Video { get; }

    public RtpCodec Codec { get; }

    public string Mid { get; }

    public string Msid { get; }

    public uint Ssrc => _track.Ssrc;

    /// <summary>Packets forwarded so far.</summary>
    public long Forwarded => _reports.Sent(Video).Packets;

    /// <summary>The section the session's offers describe it with.</summary>
    public SdpSection Section => new(Video ? "video" : "audio", Mid, Codec, "sendonly", Ssrc, Msid);

    internal bool IsReading => Volatile.Read(ref _reader) is not null;

    /// <summary>The client answered the offer that added it: it may send once the connection is up.</summary>
    internal bool Answered
    {
        get => Volatile.Read(ref _answered);
        set => Volatile.Write(ref _answered, value);
    }

    internal void Start()
    {
        lock (_forward)
        {
            if (_reader is not null)
            {
                return;
            }

            _reader = Stream.AddRtpReader($"sfu-{_session.Id}-{Mid}", this, new ReaderOptions { IsViewer = true });
        }

        if (Video)
        {
            Stream.RequestKeyframe();
        }
    }

    internal void Stop()
    {
        HubStreamReader? reader;
        lock (_forward)
        {
            (reader, _reader) = (_reader, null);
        }

        reader?.Dispose();
    }

    /// <summary>The client's feedback on this track: a NACK answered from what was sent, a PLI passed to the publisher.</summary>
    internal void OnFeedback(RtcpPacket feedback)
    {
        if (feedback.IsPli || feedback.IsFir)
        {
            Stream.RequestKeyframe();
        }
        else
        {
            _nacks.Respond(feedback, _session.Send);
        }
    }

    public void OnRtp(ReadOnlySpan<byte> packet, bool video)
    {
        if (video != Video || !_session.IsConnected || !RtpHeader.TryGetLength(packet, out int headerLength) || packet.Length > _forward.Length - 16)
        {
            return;
        }

        lock (_forward)
        {
            var copy = _forward.AsSpan(0, packet.Length);
            if (_reader is null || !_track.TryRewrite(packet, headerLength, copy, out ushort sequence))
            {
                return;
            }

            if (Video)
            {
                _history.Add(sequence, copy);
            }

            _reports.Count(Video, packet.Length - headerLength);
            _session.Send(copy);
        }
    }

    /// <summary>The publisher's sender reports are passed on (the client syncs audio and video by them).</summary>
    public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
        if (video != Video || !IsReading || !_session.IsConnected)
        {
            return;
        }

        Span<byte> rtcp = stackalloc byte[28];
        _reports.Write(rtcp, video, Ssrc, ntpTime, rtpTimestamp);
        _session.SendReport(rtcp);
    }

    public void OnRtpSourceChanged()
    {
        lock (_forward)
        {
            _track.Restart();
        }

        if (Video)
        {
            Stream.RequestKeyframe();
        }
    }

    public void OnRtpRestarted(bool video)
    {
        if (video == Video)
        {
            OnRtpSourceChanged();
        }
    }
}
