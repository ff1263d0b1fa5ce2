using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Transcoding;

/// <summary>
/// One encode's way into the rendition hub: the publisher it keeps for the source's whole life (so its timeline is
/// never rebased, whatever happens to ffmpeg; each ffmpeg's output comes through <see cref="Streaming.MpegTs.TsIngest"/>,
/// which declares its tracks, so the hub holds a rendition's first pictures until its audio's configuration is known),
/// and its state.
/// </summary>
internal sealed class RenditionOutput(Rendition rendition, Publisher publisher, DateTimeOffset now)
{
    private long _newest = long.MinValue;

    public Rendition Rendition => rendition;

    public Publisher Publisher => publisher;

    public RenditionState State { get; private set; } = RenditionState.Starting;

    public DateTimeOffset Since { get; private set; } = now;

    /// <summary>The time (ms, the source's timeline) of its newest picture readers have; long.MinValue before the first.</summary>
    public long Newest => Interlocked.Read(ref _newest);

    /// <summary>
    /// A picture at <paramref name="ms"/> went to its stream. It counts as the rendition's newest once the stream's
    /// tracks are known: one the hub holds for the audio's configuration is not live for any reader yet.
    /// </summary>
    public void Published(long ms)
    {
        if (publisher.Stream.TracksKnown)
        {
            Interlocked.Exchange(ref _newest, Math.Max(Newest, ms));
        }
    }

    /// <summary>
    /// The state its frames say it is in, with the source's newest frame at <paramref name="sourceMs"/> and its first at
    /// <paramref name="firstSourceMs"/>: live once it gives frames within half the limit, lagging past the limit (before
    /// its first frame, counted from the source's first), live again within half of it. Caller holds the transcoder's lock.
    /// </summary>
    public RenditionState Judge(long sourceMs, long firstSourceMs, long limitMs)
    {
        long newest = Newest;
        long behind = sourceMs - (newest == long.MinValue ? firstSourceMs : newest);
        return State switch
        {
            RenditionState.Starting or RenditionState.Live when behind > limitMs => RenditionState.Lagging,
            RenditionState.Starting or RenditionState.Lagging when newest != long.MinValue && behind <= limitMs / 2 => RenditionState.Live,
            _ => State,
        };
    }

    /// <summary>The source ended: the rendition's stream ends.</summary>
    public void Stop() => publisher.Unpublish();

    /// <summary>Moves to <paramref name="state"/>; caller holds the transcoder's lock.</summary>
    public void Enter(RenditionState state, DateTimeOffset now) => (State, Since) = (state, now);
}
