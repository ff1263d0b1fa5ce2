using Stagecast.Streaming.Audio;

namespace Stagecast.Compositor.Audio;

/// <summary>
/// One participant's decoded audio waiting for the program's mixer: 48 kHz stereo float samples, written as packets
/// arrive and read at the program's pace. Playout starts once <see cref="PrebufferFrames"/> are queued (a little
/// jitter is absorbed); when the queue runs dry it waits for that much again (the participant is silent meanwhile),
/// and what is queued beyond <see cref="MaxQueuedFrames"/> is dropped from the old end, so a burst never builds delay.
/// Nor does a cushion grown by one: the queue is read as fast as it is written, so a burst (packets held up, then
/// delivered together) would stay queued as lasting delay, the sound behind its picture; when the queue has not
/// fallen below the cushion and a half for <see cref="TrimWindowFrames"/> of playout, the surplus is dropped.
/// </summary>
public sealed class AudioInput
{
    /// <summary>40 ms at 48 kHz: two Opus packets of jitter.</summary>
    public const int PrebufferFrames = 1920;

    /// <summary>200 ms: the most a participant's audio may lag.</summary>
    public const int MaxQueuedFrames = 9600;

    /// <summary>Half a second of playout: how long the queue must stay deep before its surplus is dropped.</summary>
    public const int TrimWindowFrames = 24000;

    private const int TrimAboveFrames = PrebufferFrames * 3 / 2;

    private const int Channels = OpusDecoder.Channels;
    private readonly float[] _ring = new float[(MaxQueuedFrames + OpusDecoder.MaxSamplesPerChannel) * Channels];
    private readonly Lock _sync = new();
    private int _start;
    private int _count;
    private bool _playing;
    private int _windowRead; // frames played in the current trim window
    private int _windowLowest; // the fewest frames queued after a read in it

    /// <summary>The gain that brings this input to the mixer's target loudness (slowly adapted while it speaks).</summary>
    internal float Gain { get; set; } = 1f;

    /// <summary>Mean square of recent speech, for <see cref="Gain"/>.</summary>
    internal double Loudness { get; set; }

    /// <summary>Frames (sample pairs) dropped because the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Frames (sample pairs) dropped because the queue stayed deeper than its cushion needs.</summary>
    public long Trimmed { get; private set; }

    /// <summary>Frames queued now.</summary>
    public int Queued
    {
        get
        {
            lock (_sync)
            {
                return _count / Channels;
            }
        }
    }

    /// <summary>Queues interleaved stereo samples.</summary>
    public void Write(ReadOnlySpan<float> samples)
    {
        lock (_sync)
        {
            foreach (float sample in samples)
            {
                _ring[(_start + _count) % _ring.Length] = sample;
                _count++;
            }

            int excess = _count - (MaxQueuedFrames * Channels);
            if (excess > 0)
            {
                _start = (_start + excess) % _ring.Length;
                _count -= excess;
                Dropped += excess / Channels;
            }
        }
    }

    /// <summary>Takes up to <c>destination.Length</c> interleaved samples; returns how many were written (the rest is silence for the caller).</summary>
    public int Read(Span<float> destination)
    {
        lock (_sync)
        {
            if (!_playing && _count >= PrebufferFrames * Channels)
            {
                _playing = true;
            }

            if (!_playing)
            {
                return 0;
            }

            int n = Math.Min(destination.Length, _count);
            for (int i = 0; i < n; i++)
            {
                destination[i] = _ring[(_start + i) % _ring.Length];
            }

            _start = (_start + n) % _ring.Length;
            _count -= n;
            if (_count == 0)
            {
                _playing = false; // ran dry: build the cushion again
                _windowRead = 0;
                return n;
            }

            _windowLowest = _windowRead == 0 ? _count : Math.Min(_windowLowest, _count);
            _windowRead += n / Channels;
            if (_windowRead >= TrimWindowFrames)
            {
                int lowest = _windowLowest / Channels;
                if (lowest > TrimAboveFrames)
                {
                    int surplus = lowest - PrebufferFrames;
                    _start = (_start + (surplus * Channels)) % _ring.Length;
                    _count -= surplus * Channels;
                    Trimmed += surplus;
                }

                _windowRead = 0;
            }

            return n;
        }
    }
}
