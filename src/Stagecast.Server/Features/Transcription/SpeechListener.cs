using Stagecast.Speech;
using Stagecast.Streaming;
using Stagecast.Streaming.Audio;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Listens to one peer's microphone for its live transcript: an RTP reader of the peer's camera stream in the meeting
/// hub whose Opus becomes PCM on the stream's own timeline (<see cref="OpusRtpDecoder"/>: in order, losses concealed,
/// silences kept), brought to 16 kHz mono and cut at pauses (<see cref="VoiceActivitySegmenter"/>); each utterance goes
/// to <paramref name="utterances"/> with when it was said and how much of it was made up for lost packets. Runs inline
/// on the publisher's receive thread and never blocks it (recognising is the <see cref="SpeechWorker"/>'s, on its own
/// thread). Video is not looked at.
/// </summary>
public sealed class SpeechListener : IRtpSink, IDisposable
{
    private static readonly TimeSpan JitterWait = TimeSpan.FromMilliseconds(60);

    private readonly Lock _sync = new();
    private readonly Action<Utterance, DateTimeOffset> _utterances;
    private readonly TimeProvider _time;
    private readonly OpusRtpDecoder _decoder;
    private readonly HubStreamReader _reader;
    private readonly SpeechResampler _resampler = new();
    private readonly VoiceActivitySegmenter _segmenter = new();
    private long _samples;
    private bool _disposed;

    /// <param name="utterances">Called with each utterance and the wall-clock time it began, on the publisher's thread.</param>
    public SpeechListener(HubStream stream, Action<Utterance, DateTimeOffset> utterances, TimeProvider time)
    {
        Stream = stream;
        _utterances = utterances;
        _time = time;
        _decoder = new OpusRtpDecoder(JitterWait, time, Heard);
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
            if (!_disposed)
            {
                _decoder.Push(packet);
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
            _decoder.Reset();
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
            _decoder.Dispose();
            if (_segmenter.Flush() is { } last)
            {
                Hand(last);
            }
        }

        _reader.Dispose();
    }

    private void Heard(ReadOnlySpan<float> pcm, bool concealed)
    {
        var speech = _resampler.Resample(pcm);
        _samples += speech.Length;
        foreach (var utterance in _segmenter.Add(speech, concealed))
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
