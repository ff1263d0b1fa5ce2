using System.Diagnostics.CodeAnalysis;
using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// One track a subscriber connection (<see cref="IConsumerConnection"/>: a RealtimeKit receive transport or a WHEP
/// subscription) sends on its own m-line (<see cref="Mid"/>): the audio or the video of a stream, forwarded as the
/// publisher's RTP came through the hub (<see cref="ForwardedTrack"/>), with the payload type and SSRC of this m-line; the
/// publisher is asked for a keyframe to start with and after it was replaced or restarted. It reads the stream once
/// started (the client answered the offer that added it) and until stopped, or until the stream ends (its publisher
/// left: it closes then, and a receive transport's next offer says so); the client's NACKs are answered from what it sent.
/// Video may read one of the stream's simulcast layers instead (<see cref="Read"/>), falling back to another while
/// that one stops: make before break, the layer it reads is forwarded until the next one's keyframe comes, and the
/// client sees one track throughout.
/// </summary>
[SuppressMessage("Design", "CA1001", Justification = "A CancellationTokenSource with no timer and no links holds nothing to dispose; its token is held after it closes")]
public sealed class SfuConsumer
{
    private readonly IConsumerConnection _session;
    private readonly byte[] _forward = new byte[1500];
    private readonly SendHistory _history;
    private readonly NackResponder _nacks;
    private readonly SenderReporter _reports = new();
    private readonly ForwardedTrack _track;
    private HubStreamReader? _reader;
    private HubStream _reading;
    private HubStream? _switchingTo; // the layer it goes to at that layer's next keyframe, read meanwhile by _switchReader
    private HubStreamReader? _switchReader;
    private IReadOnlyList<HubStream> _layers;
    private readonly CancellationTokenSource _closed = new();
    private readonly CancellationTokenRegistration _ending;
    private RtpTrackFormat? _checkedVideo;
    private bool _wrongCodec;
    private bool _answered;
    private bool _allocated;
    private bool _paused;
    private long _sampledAt = -1;
    private uint _sampledBytes;
    private long _pauses;
    private long _layerSwitches;

    /// <param name="ssrc">The SSRC it sends with, when the connection's answer named it already; 0: one of its own.</param>
    internal SfuConsumer(IConsumerConnection session, HubStream stream, bool video, RtpCodec codec, string mid, string msid, RetransmissionStream? rtx = null, uint ssrc = 0)
    {
        _session = session;
        Stream = stream;
        Video = video;
        Codec = codec;
        Mid = mid;
        Msid = msid;
        _reading = stream;
        _layers = [stream];
        _track = new ForwardedTrack(codec, ssrc != 0 ? ssrc : (uint)Random.Shared.Next(1, int.MaxValue), video, session.Transport.Time);
        Rtx = rtx;
        _history = new SendHistory(session.Transport.Time);
        _nacks = new NackResponder(_history, Ssrc, Rtx);
        _ending = stream.Ending.Register(Stop);
    }

    /// <summary>How long a simulcast layer may send no video before the consumer reads another.</summary>
    internal static readonly TimeSpan QuietLayer = TimeSpan.FromSeconds(1);

    /// <summary>The stream it forwards (its source's, whichever layer it reads).</summary>
    public HubStream Stream { get; }

    /// <summary>What it forwards: <see cref="Stream"/>, or the stream of one of its simulcast layers.</summary>
    public HubStream Reading => Volatile.Read(ref _reading);

    /// <summary>The layer it switches to once that layer's keyframe comes (it forwards <see cref="Reading"/> until then), or null.</summary>
    public HubStream? SwitchingTo
    {
        get
        {
            lock (_forward)
            {
                return _switchingTo;
            }
        }
    }

    /// <summary>Where it is headed: the layer it switches to, or the one it reads (its connection's plan starts from it).</summary>
    internal HubStream Target => SwitchingTo ?? Reading;

    public bool Video { get; }

    public RtpCodec Codec { get; }

    public string Mid { get; }

    public string Msid { get; }

    public uint Ssrc => _track.Ssrc;

    /// <summary>Where its repairs go once the client's answer took them (video, when the client offered <c>rtx</c> for its codec); null: sent again as they were.</summary>
    public RetransmissionStream? Rtx { get; }

    /// <summary>The client's latest receiver report on this track, if any.</summary>
    public ReceptionReport? Report { get; internal set; }

    /// <summary>Packets sent again for the client's NACKs.</summary>
    public long Retransmitted => _nacks.Retransmitted;

    /// <summary>Packets forwarded so far.</summary>
    public long Forwarded => _reports.Sent(Video).Packets;

    /// <summary>Packets and payload bytes forwarded so far.</summary>
    public (uint Packets, uint Octets) Sent => _reports.Sent(Video);

    /// <summary>Cancelled when it closes: its m-line closed, its connection, or its stream ended.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>The section the session's offers describe it with.</summary>
    public SdpSection Section => new(Video ? "video" : "audio", Mid, Codec, "sendonly", Ssrc, Msid,
        _session.TransportSequenceId > 0 ? new Dictionary<string, int> { [ExtensionUris.TransportWideCc] = _session.TransportSequenceId } : null, Rtx: Rtx?.Description);

    internal bool IsReading => Volatile.Read(ref _reader) is not null;

    /// <summary>Whether its stream counts it among its viewers (a WHEP viewer's audio does not when its video does); set before it starts.</summary>
    internal bool CountsAsViewer { get; init; } = true;

    /// <summary>Which of its connection's video tracks keep their layers first when the downlink is short (higher first: a screen share).</summary>
    public int Priority { get; set; }

    /// <summary>Its connection's allocator gave it no layer: nothing is forwarded until the downlink has room for it again.</summary>
    public bool Paused => Volatile.Read(ref _paused);

    /// <summary>
    /// Its connection's allocator paused or resumed it (<see cref="Paused"/> changed): raised outside its locks, on the
    /// connection's tick; a handler must not block.
    /// </summary>
    public event Action<SfuConsumer>? PausedChanged;

    /// <summary>How many times its connection's allocator paused it.</summary>
    public long Pauses => Interlocked.Read(ref _pauses);

    /// <summary>How many times it went from one simulcast layer to another while reading.</summary>
    public long LayerSwitches => Interlocked.Read(ref _layerSwitches);

    /// <summary>The client answered the offer that added it: it may send once the connection is up.</summary>
    internal bool Answered
    {
        get => Volatile.Read(ref _answered);
        private set => Volatile.Write(ref _answered, value);
    }

    /// <summary>The client answered its m-line with <paramref name="section"/>: it may send, and repairs on its retransmission stream if the answer kept it.</summary>
    internal void Answer(MediaDescription? section)
    {
        Rtx?.Enabled = section?.Formats.Contains(Rtx.PayloadType) == true;
        Answered = true;
    }

    internal void Start()
    {
        lock (_forward)
        {
            if (_reader is not null)
            {
                return;
            }

            _reader = Open(_reading);
        }

        if (Video)
        {
            Reading.RequestKeyframe();
        }
    }

    /// <summary>
    /// Reads the first of <paramref name="layers"/> (streams of <see cref="Stream"/>'s simulcast layers, itself among
    /// them, in the order the client would have them) that its publisher sends, or the first while none does; the
    /// choice follows the layers as they stop and start again (<see cref="FollowLayers"/>). None: <see cref="Stream"/>.
    /// </summary>
    public void Read(IReadOnlyList<HubStream> layers)
    {
        Volatile.Write(ref _layers, layers.Count == 0 ? [Stream] : layers);
        FollowLayers();
    }

    /// <summary>
    /// Reads the first layer that flows (video within <see cref="QuietLayer"/>): a layer the publisher's sender stopped
    /// is left for the next one that flows, and read again once it is back. Its connection's downlink calls it every
    /// <see cref="SubscriberDownlink.LayerCheck"/>.
    /// </summary>
    internal void FollowLayers()
    {
        var layers = Volatile.Read(ref _layers);
        if (!Volatile.Read(ref _allocated))
        {
            Switch(layers.Count == 1 ? layers[0] : layers.FirstOrDefault(l => l.Publisher?.SentVideoWithin(QuietLayer) == true) ?? layers[0]);
        }
    }

    /// <summary>
    /// The layers it may be sent now, highest first, with their rates (bit/s): those flowing whose rate is known, none
    /// above the one it reads first (the subscriber's ceiling) unless that one's rate is not known.
    /// </summary>
    internal List<(HubStream Layer, long Bps)> Candidates()
    {
        var layers = Volatile.Read(ref _layers);
        var flowing = new List<(HubStream Layer, long Bps)>(layers.Count);
        foreach (var layer in layers)
        {
            if (layer.Publisher is { } publisher && publisher.SentVideoWithin(QuietLayer) && publisher.VideoBitrate > 0)
            {
                flowing.Add((layer, publisher.VideoBitrate));
            }
        }

        long ceiling = flowing.Find(l => ReferenceEquals(l.Layer, layers[0])) is { Layer: not null } asked ? asked.Bps : long.MaxValue;
        flowing.RemoveAll(l => l.Bps > ceiling);
        flowing.Sort((a, b) => b.Bps.CompareTo(a.Bps));
        return flowing;
    }

    /// <summary>The allocator's choice: read <paramref name="layer"/> (one of <see cref="Candidates"/>), or pause (null).</summary>
    internal void Allocate(HubStream? layer)
    {
        Volatile.Write(ref _allocated, true);
        bool changed;
        lock (_forward)
        {
            changed = (layer is null) != _paused;
            if (changed)
            {
                _paused = layer is null;
                _track.Restart(); // resumed, it carries on from a keyframe
            }
        }

        if (changed && layer is null)
        {
            Interlocked.Increment(ref _pauses);
            _session.Transport.CountVideoPause();
        }

        if (changed)
        {
            PausedChanged?.Invoke(this);
        }

        if (layer is not null && !Switch(layer) && changed)
        {
            layer.RequestKeyframe();
        }
    }

    /// <summary>
    /// Goes to <paramref name="next"/>: at once while it reads nothing yet; otherwise make before break, the layer it
    /// reads is forwarded until <paramref name="next"/>'s keyframe, asked for now, comes (<see cref="OnRtp"/> switches on
    /// its first packet), so a switch costs the client no frozen picture. False when it reads <paramref name="next"/>
    /// already or is on its way to it; going back to the layer it reads leaves the one it was on its way to.
    /// </summary>
    private bool Switch(HubStream next)
    {
        if (ReferenceEquals(next, Reading))
        {
            LeaveSwitch();
            return false;
        }

        if (ReferenceEquals(next, SwitchingTo))
        {
            return false;
        }

        // Opened before the lock: a stream calls its readers under its own lock when its source changes.
        var reader = IsReading ? Open(next) : null;
        var unused = reader;
        bool changed = false;
        bool switching = false;
        lock (_forward)
        {
            if (ReferenceEquals(next, _switchingTo) || ReferenceEquals(next, _reading))
            {
                // on its way there already, or there
            }
            else if (_reader is null)
            {
                Volatile.Write(ref _reading, next); // not started: Start opens it
                changed = true;
            }
            else
            {
                unused = _switchReader;
                (_switchingTo, _switchReader) = (next, reader ?? Open(next));
                changed = switching = true;
            }
        }

        unused?.Dispose();
        if (switching)
        {
            next.RequestKeyframe();
        }

        return changed;
    }

    /// <summary>It stays on the layer it reads: the one it was on its way to is left.</summary>
    private void LeaveSwitch()
    {
        HubStreamReader? left;
        lock (_forward)
        {
            (left, _switchReader, _switchingTo) = (_switchReader, null, null);
        }

        left?.Dispose();
    }

    /// <summary>The rate it sent at since the last call (bit/s, headers counted), for its connection's ticks.</summary>
    internal long SampleBps(long nowMicros)
    {
        var (packets, octets) = Sent;
        uint bytes = octets + (packets * 40); // payload, and about 40 bytes of headers a packet
        long bps = _sampledAt < 0 || nowMicros <= _sampledAt ? 0 : (bytes - _sampledBytes) * 8L * 1_000_000 / (nowMicros - _sampledAt);
        (_sampledAt, _sampledBytes) = (nowMicros, bytes);
        return bps;
    }

    /// <summary>
    /// Sends up to <paramref name="packets"/> padding-only packets of <paramref name="padding"/> bytes of padding (a probe),
    /// between two frames, or while paused (a connection whose video is all paused finds room again only so); how many went.
    /// </summary>
    internal int Pad(int packets, int padding)
    {
        lock (_forward)
        {
            if (_reader is null || _session.TransportSequenceId == 0)
            {
                return 0;
            }

            Span<byte> raw = stackalloc byte[RtpHeader.FixedLength + 255];
            for (int i = 0; i < packets; i++)
            {
                int length = _track.TryPad(raw, padding, out ushort sequence);
                if (length == 0)
                {
                    return i;
                }

                var copy = _forward.AsSpan(0, RtpExtensions.WriteWithTransportSequence(raw[..length], RtpHeader.FixedLength, _session.TransportSequenceId, _forward));
                _history.Add(sequence, copy);
                _session.Send(copy);
            }

            return packets;
        }
    }

    private HubStreamReader Open(HubStream stream) =>
        stream.AddRtpReader($"sfu-{_session.Id}-{Mid}", new Sink(this, stream), new ReaderOptions { IsViewer = CountsAsViewer });

    internal void Stop()
    {
        HubStreamReader? reader;
        HubStreamReader? switchReader;
        lock (_forward)
        {
            (reader, _reader, switchReader, _switchReader, _switchingTo) = (_reader, null, _switchReader, null, null);
        }

        reader?.Dispose();
        switchReader?.Dispose();
        _ending.Dispose();
        _closed.Cancel();
    }

    /// <summary>The client's feedback on this track: a NACK answered from what was sent, a PLI passed to the publisher.</summary>
    internal void OnFeedback(RtcpPacket feedback)
    {
        if (feedback.IsPli || feedback.IsFir)
        {
            Reading.RequestKeyframe();
        }
        else
        {
            _nacks.Respond(feedback, _session.Send);
        }
    }

    private void OnRtp(ReadOnlySpan<byte> packet, bool video, HubStream from)
    {
        if (video != Video || !_session.IsConnected || !RtpHeader.TryGetLength(packet, out int headerLength)
            || packet.Length > _forward.Length - 16 - RtpExtensions.TransportSequenceBlock)
        {
            return;
        }

        if (video && !Carries(from))
        {
            return;
        }

        HubStreamReader? left = null;
        lock (_forward)
        {
            if (_reader is null)
            {
                return;
            }

            if (ReferenceEquals(from, _switchingTo))
            {
                if (!Codec.StartsKeyframe(packet[headerLength..]))
                {
                    return;
                }

                // The next layer's keyframe: forwarded from here on, the layer it read is left.
                left = _reader;
                (_reader, _switchReader, _switchingTo) = (_switchReader, null, null);
                Volatile.Write(ref _reading, from);
                _track.Restart();
            }
            else if (!ReferenceEquals(from, _reading))
            {
                return;
            }

            if (!_paused)
            {
                Forward(packet, headerLength);
            }
        }

        if (left is not null)
        {
            left.Dispose();
            Interlocked.Increment(ref _layerSwitches);
            _session.Transport.CountLayerSwitch();
        }
    }

    /// <summary>
    /// Whether the video of <paramref name="from"/> is in this m-line's codec: a new publisher of the stream may send
    /// another, which the client cannot decode under this payload type; its packets are not forwarded and the connection
    /// is told once (a WHEP subscription closes: its viewer must ask again).
    /// </summary>
    private bool Carries(HubStream from)
    {
        if (from.RtpVideo is not { } format || ReferenceEquals(format, Volatile.Read(ref _checkedVideo)))
        {
            return !Volatile.Read(ref _wrongCodec);
        }

        bool wrong = !Codec.Is(format.EncodingName);
        Volatile.Write(ref _wrongCodec, wrong);
        Volatile.Write(ref _checkedVideo, format);
        if (wrong)
        {
            _session.CannotCarry(this, format.EncodingName);
        }

        return !wrong;
    }

    /// <summary>Sends a packet of the layer it reads, rewritten for this track (caller holds the lock).</summary>
    private void Forward(ReadOnlySpan<byte> packet, int headerLength)
    {
        // Numbered, the packet is written once: its extension replaced, then rewritten where it lies.
        if (_session.TransportSequenceId > 0)
        {
            int length = RtpExtensions.WriteWithTransportSequence(packet, headerLength, _session.TransportSequenceId, _forward);
            headerLength += length - packet.Length;
            packet = _forward.AsSpan(0, length);
        }

        Span<byte> copy = _forward.AsSpan(0, packet.Length);
        if (!_track.TryRewrite(packet, headerLength, copy, out ushort sequence))
        {
            return;
        }

        if (Video)
        {
            _history.Add(sequence, copy);
        }

        _reports.Count(Video, packet.Length - headerLength);
        _session.Send(copy);
        WebRtcMetrics.ForwardDelay.Record(System.Diagnostics.Stopwatch.GetElapsedTime(WebRtcMetrics.PacketReceivedAt).TotalSeconds);
    }

    /// <summary>The publisher's sender reports are passed on (the client syncs audio and video by them).</summary>
    private void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
        if (video != Video || !IsReading || !_session.IsConnected)
        {
            return;
        }

        Span<byte> rtcp = stackalloc byte[28];
        lock (_forward)
        {
            rtpTimestamp = _track.Timestamp(rtpTimestamp);
        }

        _reports.Write(rtcp, video, Ssrc, ntpTime, rtpTimestamp);
        _session.SendReport(rtcp);
    }

    private void OnRtpSourceChanged()
    {
        lock (_forward)
        {
            _track.Restart();
        }

        if (Video)
        {
            Reading.RequestKeyframe();
        }
    }

    /// <summary>What one stream it reads delivers: passed on while it is the one it reads, watched for its keyframe while it is the one it switches to.</summary>
    private sealed class Sink(SfuConsumer consumer, HubStream stream) : IRtpSink
    {
        private bool Current => ReferenceEquals(consumer.Reading, stream);

        public void OnRtp(ReadOnlySpan<byte> packet, bool video) => consumer.OnRtp(packet, video, stream); // checked under its lock

        public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
        {
            if (Current)
            {
                consumer.OnSenderReport(video, ntpTime, rtpTimestamp);
            }
        }

        public void OnRtpSourceChanged()
        {
            if (Current)
            {
                consumer.OnRtpSourceChanged();
            }
        }

        public void OnRtpRestarted(bool video)
        {
            if (Current && video == consumer.Video)
            {
                consumer.OnRtpSourceChanged();
            }
        }
    }
}
