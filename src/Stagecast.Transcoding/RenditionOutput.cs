using System.Collections.Concurrent;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Transcoding;

/// <summary>
/// One encode's way into the rendition hub: the publisher it keeps for the source's whole life (so its timeline is
/// never rebased, whatever happens to ffmpeg), its video from ffmpeg's Annex B to length-prefixed frames with the
/// configuration its parameter sets give, the source's audio, and its state. A new ffmpeg's output starts at its first
/// keyframe. Readers lay out both tracks at once: audio waits for the video's configuration, and the first pictures of
/// an ffmpeg with audio wait for the audio's (ffmpeg writes its first picture before its first audio frame; published
/// alone, that picture made a segment of its own and the audio a new init segment after it).
/// </summary>
internal sealed class RenditionOutput(Rendition rendition, Publisher publisher, DateTimeOffset now)
{
    /// <summary>Pictures held for the audio's configuration at most: ffmpeg's first audio frame comes a frame or two after the first picture.</summary>
    internal const int MaxHeldPictures = 30;

    private readonly AnnexBConverter _video = new(VideoCodec.H264);
    /// <summary>Written by ffmpeg's reader, emptied by it or, once the source ended, by <see cref="Stop"/>.</summary>
    private readonly ConcurrentQueue<MediaFrame> _held = new();
    private AdtsHeader _audioConfigOf;
    private bool _sawKeyframe;
    private volatile bool _waitsForAudio;
    private long _newest = long.MinValue;

    public Rendition Rendition => rendition;

    public Publisher Publisher => publisher;

    public RenditionState State { get; private set; } = RenditionState.Starting;

    public DateTimeOffset Since { get; private set; } = now;

    /// <summary>The time (ms, the source's timeline) of its newest video frame published; long.MinValue before the first.</summary>
    public long Newest => Interlocked.Read(ref _newest);

    /// <summary>A new ffmpeg starts: its frames are taken from its first keyframe, after the audio's configuration when it has audio.</summary>
    public void Restart(bool withAudio)
    {
        _waitsForAudio = withAudio;
        Volatile.Write(ref _sawKeyframe, false);
    }

    public void WriteVideo(ReadOnlySpan<byte> annexB, long ms)
    {
        if (!_video.TryConvert(annexB, out byte[]? buffer, out int length, out bool keyframe))
        {
            return;
        }

        if (_video.ParameterSetsChanged && _video.ConfigurationRecord() is { } record)
        {
            _video.ParameterSetsChanged = false;
            publisher.SetVideoConfig(VideoTrackConfig.Parse(VideoCodec.H264, record));
        }

        if (publisher.Stream.Video is null || !(_sawKeyframe |= keyframe))
        {
            MediaBufferPool.Shared.Return(buffer!);
            return;
        }

        var frame = MediaFrame.FromPooledBuffer(MediaFrameKind.Video, buffer!, 0, length, ms, 0, keyframe);
        if (_waitsForAudio && publisher.Stream.Audio is null)
        {
            if (_held.Count < MaxHeldPictures)
            {
                _held.Enqueue(frame);
                return;
            }

            _waitsForAudio = false; // a second of pictures and no audio: they go on alone
        }

        PublishHeld();
        Publish(frame);
    }

    /// <summary>Publishes one AAC frame (its ADTS header parsed) at <paramref name="ms"/>, once the video's configuration is known.</summary>
    public void WriteAudio(AdtsHeader header, ReadOnlySpan<byte> frame, long ms)
    {
        if (publisher.Stream.Video is null)
        {
            return;
        }

        var configOf = header with { FrameLength = 0, HeaderLength = 0 };
        if (publisher.Stream.Audio is null || configOf != _audioConfigOf)
        {
            _audioConfigOf = configOf;
            publisher.SetAudioConfig(AudioTrackConfig.ParseAac(header.AudioSpecificConfig()));
        }

        PublishHeld();
        publisher.Write(MediaFrame.Copy(MediaFrameKind.Audio, frame.Slice(header.HeaderLength, header.PayloadLength), ms, 0, isKeyframe: true));
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

    /// <summary>The source ended: pictures still held go back to the pool, and the rendition's stream ends.</summary>
    public void Stop()
    {
        while (_held.TryDequeue(out var frame))
        {
            frame.Release();
        }

        publisher.Unpublish();
    }

    private void PublishHeld()
    {
        while (_held.TryDequeue(out var frame))
        {
            Publish(frame);
        }
    }

    /// <summary>
    /// Publishes a picture. Only a published one counts as the rendition's newest: one held for the audio's
    /// configuration is not live for any reader yet.
    /// </summary>
    private void Publish(MediaFrame picture)
    {
        Interlocked.Exchange(ref _newest, Math.Max(Newest, picture.Timestamp));
        publisher.Write(picture);
    }

    /// <summary>Moves to <paramref name="state"/>; caller holds the transcoder's lock.</summary>
    public void Enter(RenditionState state, DateTimeOffset now) => (State, Since) = (state, now);
}
