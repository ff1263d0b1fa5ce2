using Stagecast.Media.Rtp;
using Stagecast.Streaming;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// One stream a meeting publisher's connection (<see cref="SfuPublisher"/>) sends to the meeting's hub: a WHIP
/// session's only one, or one source (camera, screen share) of a RealtimeKit send transport. Its tracks are the
/// m-lines it was given; its state is kept under the connection's lock. A video track sent in simulcast is its first
/// layer; each other layer is a publication of its own (<see cref="Layers"/>), video only, to the stream
/// <c>{StreamId}/{rid}</c>, living and muted with it.
/// </summary>
public sealed class SfuPublication
{
    private readonly SfuPublisher _connection;
    private readonly List<SfuPublication> _layers = [];
    private long _levelSum;
    private int _levelCount;
    private string? _closeReason;

    internal SfuPublication(SfuPublisher connection, string id, string streamId, ISfuPublisherListener listener, SfuPublication? parent = null)
    {
        _connection = connection;
        Parent = parent;
        Id = id;
        StreamId = streamId;
        Listener = listener;
        // No periodic keyframes: nothing here cuts segments; keyframes go out when a subscriber needs one.
        Keyframes = new KeyframeRequester(connection.Transport.Time, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The connection's id for its first publication (a WHIP session's resource id); then that id and a number.</summary>
    public string Id { get; }

    /// <summary>The stream in the meeting's hub it publishes to.</summary>
    public string StreamId { get; }

    public SfuTrack? Video { get; internal set; }

    /// <summary>The stream a simulcast layer other than the first of <paramref name="streamId"/>'s video goes to.</summary>
    public static string LayerStreamId(string streamId, string rid) => $"{streamId}/{rid}";

    /// <summary>The publication this one is a simulcast layer of, or null.</summary>
    public SfuPublication? Parent { get; }

    /// <summary>Its video's other simulcast layers, in the order the client listed them (after the first, its own).</summary>
    public IReadOnlyList<SfuPublication> Layers
    {
        get
        {
            lock (_connection.Sync)
            {
                return [.. _layers];
            }
        }
    }

    /// <summary>The layers, under the connection's lock.</summary>
    internal List<SfuPublication> LayerList => _layers;

    public SfuTrack? Audio { get; internal set; }

    /// <summary>PLIs sent to the publisher for this stream's video and sequence numbers it was asked to send again.</summary>
    public (long Plis, long Nacked) Feedback => (Keyframes.Sent, Video?.Loss.Requested ?? 0);

    /// <summary>Ended, or its connection closed.</summary>
    public bool IsClosed => _closeReason is not null || _connection.IsClosed;

    /// <summary>Why it ended, or why its connection closed.</summary>
    public string? CloseReason => _closeReason ?? _connection.CloseReason;

    internal ISfuPublisherListener Listener { get; }

    internal KeyframeRequester Keyframes { get; }

    internal Publisher? Publisher { get; set; }

    /// <summary>Asked to publish: it does once its connection is connected.</summary>
    internal bool Wanted { get; set; }

    /// <summary>Marks it ended, under the connection's lock (once); false when it already was.</summary>
    internal bool TryEnd(string reason)
    {
        if (_closeReason is not null)
        {
            return false;
        }

        _closeReason = reason;
        return true;
    }

    /// <summary>Ended by its client: its hub stream ends with it rather than waiting for a new publisher.</summary>
    internal bool Unpublished { get; set; }

    internal string? VideoMid { get; set; }

    internal string? AudioMid { get; set; }

    /// <summary>The client ended it (HTTP DELETE, or it stopped the source): its stream ends now, and with it every subscription.</summary>
    public void Unpublish() => _connection.End(this, "the publisher ended the session", unpublish: true);

    /// <summary>Ends it (a WHIP session's connection with it); its stream waits for a new publisher for a while.</summary>
    public void Close(string reason) => _connection.End(this, reason, unpublish: false);

    /// <summary>Mutes or unmutes a track: a muted track's packets are dropped; an unmuted one starts afresh for its readers.</summary>
    public void SetMuted(bool video, bool muted)
    {
        if (video)
        {
            foreach (var layer in Layers)
            {
                layer.SetMuted(video, muted);
            }
        }

        Publisher? publisher;
        lock (_connection.Sync)
        {
            var track = video ? Video : Audio;
            if (track is null || track.Muted == muted)
            {
                return;
            }

            track.Muted = muted;
            publisher = Publisher;
        }

        if (!muted)
        {
            publisher?.RestartRtp(video);
            if (video)
            {
                Keyframes.Request();
            }
        }

        Listener.OnTracksChanged(this);
    }

    /// <summary>
    /// How loud the audio was since the last call: the mean RFC 6464 level of its packets (0 loudest, 127 silence);
    /// silence when it carries no levels, sent nothing or is muted.
    /// </summary>
    public int TakeAudioLevel()
    {
        lock (_connection.Sync)
        {
            int level = _levelCount == 0 || Audio is not { Forwarding: true } ? AudioLevel.Silence : (int)(_levelSum / _levelCount);
            (_levelSum, _levelCount) = (0, 0);
            return level;
        }
    }

    /// <summary>A packet of one of its tracks (under the connection's lock): counted once it publishes, and forwarded unless muted. True when the track started.</summary>
    internal bool Receive(SfuTrack track, ReadOnlySpan<byte> packet, int audioLevelId)
    {
        if (Publisher is not { } publisher)
        {
            return false;
        }

        if (!track.IsVideo && audioLevelId > 0 && AudioLevel.TryRead(packet, audioLevelId, out int level))
        {
            _levelSum += level;
            _levelCount++;
        }

        bool started = track.Count(packet);
        if (track.Muted)
        {
            return started;
        }

        if (track.StartsKeyframe(packet))
        {
            Keyframes.KeyframeArrived();
        }

        publisher.WriteRtp(packet, track.IsVideo);
        return started;
    }
}
