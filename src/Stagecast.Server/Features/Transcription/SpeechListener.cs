using Stagecast.Compositor.Audio;
using Stagecast.Media.Rtp;
using Stagecast.Speech;
using Stagecast.Streaming;
using Stagecast.Streaming.Rtp;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Listens to one peer's microphone for its live transcript: an RTP reader of the peer's camera stream in the meeting
/// hub that puts the Opus packets back in order, decodes them in process, brings them to 16 kHz mono and cuts them
/// at pauses (<see cref="VoiceActivitySegmenter"/>); each utterance goes to <paramref name="utterances"/> with when it
/// was said. Runs inline on the publisher's receive thread and never blocks it
/// (recognising is the <see cref="SpeechWorker"/>'s, on its own thread). Video is not looked at.
/// </summary>
public sealed class SpeechListener : IRtpSink, IDisposable
{
    private static readonly TimeSpan JitterWait = TimeSpan.FromMilliseconds(60);

    private readonly Lock _sync = new();
    private readonly Action<Utterance, DateTimeOffset> _utterances;
    private readonly TimeProvider _time;
    private readonly JitterBuffer _buffer;
    private readonly HubStreamReader _reader;
    private readonly float[] _pcm = new float[OpusDecoder.MaxSamplesPerChannel * OpusDecoder.Channels];
    private readonly SpeechResampler _resampler = new();
    private readonly VoiceActivitySegmenter _segmenter = new();
    private OpusDecoder? _opus;
    private long _samples;
    private bool _disposed;

    /// <param name="utterances">Called with each utterance and the wall-clock time it began, on the publisher's thread.</param>
    public SpeechListener(HubStream stream, Action<Utterance, DateTimeOffset> utterances, TimeProvider time)
    {
        Stream = stream;
        _utterances = utterances;
        _time = time;
        _buffer = new JitterBuffer(64, JitterWait, time);
        _reader = stream.AddRtpReader("transcriber", this);
    }

    /// <summary>The stream listened to (a new publish of the source is a new stream, and a new listener).</summary>
    public HubStream Stream { get; }

    public void OnRtp(ReadOnlySpan<byte> packet, bool video)
    {
        if (video)
        {
            return;
        }

        lock (_sync)
        {
            if (!_disposed && _buffer.Push(packet))
            {
                _buffer.Drain(Decode);
            }
        }
    }

    public void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp)
    {
    }

    public void OnRtpSourceChanged()
    {
        lock (_sync)
        {
            _buffer.Reset();
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _opus?.Dispose();
            if (_segmenter.Flush() is { } last)
            {
                Hand(last);
            }
        }

        _reader.Dispose();
    }

    private void Decode(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetPayload(packet, out var opus) || opus.IsEmpty)
        {
            return;
        }

        _opus ??= new OpusDecoder();
        int samples = _opus.Decode(opus, _pcm);
        var speech = _resampler.Resample(_pcm.AsSpan(0, samples * OpusDecoder.Channels));
        _samples += speech.Length;
        foreach (var utterance in _segmenter.Add(speech))
        {
            Hand(utterance);
        }
    }

    /// <summary>Hands on an utterance, dated back from now by the samples heard since it began.</summary>
    private void Hand(Utterance utterance)
    {
        var began = _time.GetUtcNow() - TimeSpan.FromSeconds((double)(_samples - utterance.StartSample) / VoiceActivitySegmenter.SampleRate);
        _utterances(utterance, began);
    }
}
