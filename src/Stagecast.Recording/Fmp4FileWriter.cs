using Microsoft.Win32.SafeHandles;
using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Streaming;

namespace Stagecast.Recording;

/// <summary>
/// A recording written as fragmented MP4 as its frames come, by LL-HLS's writers: the init segment
/// (<see cref="InitSegmentWriter"/>) first, then a fragment (<see cref="FragmentWriter"/>'s moof and mdat header)
/// at each video keyframe and at least every <see cref="MaxFragmentDuration"/>, written with one gathered write
/// straight from the frames' buffers (no copy in between). What is on disk plays at every fragment's end, so a crash
/// loses at most the fragment being gathered. Video times are in 90 kHz from the frames' milliseconds; audio keeps a
/// continuous timeline of its own samples that only a real gap moves. A new video configuration (a publisher that came
/// back at another size) goes in-band, its parameter sets in front of the next keyframe, as the init segment holds one.
/// </summary>
internal sealed class Fmp4FileWriter : IDisposable
{
    /// <summary>The longest a fragment gathers (a crash loses at most this), keyframe or not.</summary>
    public static readonly TimeSpan MaxFragmentDuration = TimeSpan.FromSeconds(2);

    private const int MaxSamples = 1024;
    private readonly SafeFileHandle _file;
    private readonly TrackLayout _layout;
    private readonly List<PendingSample> _video = [];
    private readonly List<PendingSample> _audio = [];
    private readonly List<ReadOnlyMemory<byte>> _gather = [];
    private readonly BoxBuffer _box = new(4096);
    private readonly TrackRun[] _runs = new TrackRun[2];
    private FragmentSample[] _videoRun = new FragmentSample[64];
    private FragmentSample[] _audioRun = new FragmentSample[64];
    private long _offset;
    private uint _sequence = 1;
    private long _lastVideoMs = long.MinValue;
    private long _nextAudioTick = long.MinValue;
    private byte[]? _inBand;
    private VideoTrackConfig? _videoConfig;

    private Fmp4FileWriter(SafeFileHandle file, TrackLayout layout)
    {
        _file = file;
        _layout = layout;
        _videoConfig = layout.Video;
    }

    /// <summary>Creates (or empties) the file and writes its init segment for <paramref name="layout"/>.</summary>
    public static Fmp4FileWriter Create(string path, TrackLayout layout)
    {
        byte[] init = InitSegmentWriter.Write(layout);
        var file = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.Read);
        try
        {
            RandomAccess.Write(file, init, 0);
        }
        catch
        {
            file.Dispose();
            throw;
        }

        return new Fmp4FileWriter(file, layout) { _offset = init.Length };
    }

    /// <summary>A video configuration after the first: its parameter sets go in front of the next keyframe if it differs from the one in use.</summary>
    public void ChangeVideo(VideoTrackConfig config)
    {
        if (_videoConfig is not null && !config.IsSameAs(_videoConfig) && config.NalLengthSize > 0)
        {
            _videoConfig = config;
            _inBand = [.. config.ParameterSets.SelectMany(set => LengthPrefixed(set, config.NalLengthSize))];
        }
    }

    /// <summary>Adds a video frame at <paramref name="ms"/> on the recording's timeline (a reference is taken); a fragment may be written first.</summary>
    public async ValueTask AddVideoAsync(MediaFrame frame, long ms)
    {
        if (_layout.Video is null)
        {
            return;
        }

        ms = _lastVideoMs == long.MinValue ? ms : Math.Max(ms, _lastVideoMs + 1);
        if (_video.Count > 0)
        {
            _video[^1] = _video[^1] with { Sample = _video[^1].Sample with { Duration = (uint)((ms - _lastVideoMs) * 90) } };
        }

        if (_video.Count > 0 && (frame.IsKeyframe || ms - (_video[0].DecodeTime / 90) >= MaxFragmentDuration.TotalMilliseconds || _video.Count == MaxSamples))
        {
            await FlushAsync().ConfigureAwait(false);
        }

        byte[]? parameterSets = frame.IsKeyframe ? _inBand : null;
        _inBand = frame.IsKeyframe ? null : _inBand;
        uint estimate = _lastVideoMs == long.MinValue ? 3000 : (uint)((ms - _lastVideoMs) * 90); // the last one's interval until the next comes
        var sample = new FragmentSample(estimate, frame.Length + (parameterSets?.Length ?? 0), frame.IsKeyframe, frame.CompositionOffset * 90);
        _video.Add(new PendingSample(frame.Retain(), ms * 90, sample, parameterSets));
        _lastVideoMs = ms;
    }

    /// <summary>Adds an audio frame at <paramref name="ms"/> (a reference is taken); dropped when the layout has no audio.</summary>
    public async ValueTask AddAudioAsync(MediaFrame frame, long ms)
    {
        if (_layout.Audio is not { } audio)
        {
            return;
        }

        long actual = ms * audio.SampleRate / 1000;
        if (actual < 0)
        {
            return; // before the first picture
        }

        long tick = _nextAudioTick == long.MinValue || actual > _nextAudioTick + (AudioTrackConfig.SamplesPerFrame / 2) ? actual : _nextAudioTick;
        if (_audio.Count > 0)
        {
            _audio[^1] = _audio[^1] with { Sample = _audio[^1].Sample with { Duration = (uint)(tick - _audio[^1].DecodeTime) } };
        }

        bool audioLeads = _layout.Video is null;
        if (_audio.Count == MaxSamples || (audioLeads && _audio.Count > 0 && tick - _audio[0].DecodeTime >= MaxFragmentDuration.TotalSeconds * audio.SampleRate))
        {
            await FlushAsync().ConfigureAwait(false);
        }

        _audio.Add(new PendingSample(frame.Retain(), tick, new FragmentSample(AudioTrackConfig.SamplesPerFrame, frame.Length, true, 0)));
        _nextAudioTick = tick + AudioTrackConfig.SamplesPerFrame;
    }

    /// <summary>Writes what is gathered as a fragment (nothing when nothing is); <see cref="IOException"/> when the disk refuses it.</summary>
    public async ValueTask FlushAsync()
    {
        if (_video.Count == 0 && _audio.Count == 0)
        {
            return;
        }

        try
        {
            int runs = 0;
            if (_video.Count > 0)
            {
                _runs[runs++] = Run(_layout.VideoTrackId, _video, ref _videoRun, isVideo: true);
            }

            if (_audio.Count > 0)
            {
                _runs[runs++] = Run(_layout.AudioTrackId, _audio, ref _audioRun, isVideo: false);
            }

            _box.Reset();
            long payload = FragmentWriter.WriteHeader(_box, _sequence++, _runs.AsSpan(0, runs));
            _gather.Clear();
            _gather.Add(_box.WrittenMemory);
            foreach (var pending in _video.Concat(_audio))
            {
                if (pending.InBand is { } inBand)
                {
                    _gather.Add(inBand);
                }

                _gather.Add(pending.Frame.Memory);
            }

            await RandomAccess.WriteAsync(_file, _gather, _offset).ConfigureAwait(false);
            _offset += _box.Length + payload;
        }
        finally
        {
            Release();
        }
    }

    public void Dispose()
    {
        Release();
        _file.Dispose();
    }

    private static TrackRun Run(uint trackId, List<PendingSample> samples, ref FragmentSample[] run, bool isVideo)
    {
        if (run.Length < samples.Count)
        {
            run = new FragmentSample[Math.Max(samples.Count, run.Length * 2)];
        }

        for (int i = 0; i < samples.Count; i++)
        {
            run[i] = samples[i].Sample;
        }

        return new TrackRun(trackId, (ulong)samples[0].DecodeTime, run.AsMemory(0, samples.Count), isVideo);
    }

    private static byte[] LengthPrefixed(byte[] nal, int lengthSize)
    {
        byte[] prefixed = new byte[lengthSize + nal.Length];
        for (int i = 0; i < lengthSize; i++)
        {
            prefixed[i] = (byte)(nal.Length >> (8 * (lengthSize - 1 - i)));
        }

        nal.CopyTo(prefixed, lengthSize);
        return prefixed;
    }

    private void Release()
    {
        foreach (var pending in _video.Concat(_audio))
        {
            pending.Frame.Release();
        }

        _video.Clear();
        _audio.Clear();
    }
}
