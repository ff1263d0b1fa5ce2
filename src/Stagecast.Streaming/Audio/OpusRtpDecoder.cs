using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Rtp;
using Stagecast.Streaming.Rtp;

namespace Stagecast.Streaming.Audio;

/// <summary>
/// One stream's Opus RTP as 48 kHz stereo PCM on the stream's own timeline, for what listens in process (the
/// compositor's mixer, speech recognition): packets put back in order (a <see cref="JitterBuffer"/>), decoded by
/// libopus, and every gap between their RTP timestamps filled, so a second of the stream is a second of PCM: a loss
/// of up to <see cref="MaxConcealed"/> is concealed by the decoder (its last lost frame from the next packet's in-band
/// FEC, which browsers add once their receiver reports loss), a longer one, or a sender's silence (DTX: packets stop,
/// timestamps jump), is silence, at most <see cref="MaxFilled"/>. A busy machine that loses packets thus gives a
/// recognizer speech with its pauses where they were, not syllables spliced together; what was made up is said with
/// the PCM (<c>concealed</c>), so a reader may refuse audio that is more guess than signal.
/// </summary>
public sealed class OpusRtpDecoder : IDisposable
{
    /// <summary>The longest loss the decoder conceals; a longer one is silence.</summary>
    public static readonly TimeSpan MaxConcealed = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest gap filled at all (with concealment or silence); after a longer one the PCM just goes on.</summary>
    public static readonly TimeSpan MaxFilled = TimeSpan.FromSeconds(1);

    private const int ConcealedSamples = OpusDecoder.SampleRate / 5; // MaxConcealed
    private const int FilledSamples = OpusDecoder.SampleRate; // MaxFilled

    private readonly JitterBuffer _buffer;
    private readonly PcmHandler _handler;
    private readonly float[] _pcm = new float[OpusDecoder.MaxSamplesPerChannel * OpusDecoder.Channels];
    private OpusDecoder? _opus;
    private uint _next;
    private bool _started;

    /// <param name="jitterWait">How long a gap is waited for before it is filled (<see cref="JitterBuffer"/>).</param>
    /// <param name="handler">Called with the PCM (interleaved stereo, reused after the call), in order, on the caller's thread.</param>
    public OpusRtpDecoder(TimeSpan jitterWait, TimeProvider time, PcmHandler handler)
    {
        _buffer = new JitterBuffer(64, jitterWait, time);
        _handler = handler;
    }

    /// <summary>PCM of the stream, in order; <paramref name="concealed"/> when it was made up for lost packets (not when it is a sender's silence).</summary>
    public delegate void PcmHandler(ReadOnlySpan<float> pcm, bool concealed);

    /// <summary>Packets lost so far (skipped by the jitter buffer).</summary>
    public long Lost => _buffer.Lost;

    /// <summary>Takes one RTP packet of the stream's audio and hands on what can be decoded now.</summary>
    public void Push(ReadOnlySpan<byte> packet)
    {
        if (_buffer.Push(packet))
        {
            _buffer.Drain(Decode);
        }
    }

    /// <summary>The sender restarted (a new SSRC): its packets start a new sequence and timeline.</summary>
    public void Reset()
    {
        _buffer.Reset();
        _started = false;
    }

    public void Dispose() => _opus?.Dispose();

    private void Decode(ReadOnlySpan<byte> packet, bool discontinuity)
    {
        if (!RtpHeader.TryGetPayload(packet, out var payload) || payload.IsEmpty)
        {
            return;
        }

        _opus ??= new OpusDecoder();
        uint timestamp = RtpHeader.Timestamp(packet);
        int gap = _started ? (int)(timestamp - _next) : 0;
        if (gap > 0 && gap <= FilledSamples)
        {
            Fill(gap, discontinuity, payload);
        }

        int samples = _opus.Decode(payload, _pcm);
        _handler(_pcm.AsSpan(0, samples * OpusDecoder.Channels), false);
        _next = timestamp + (uint)Math.Max(samples, OpusPacket.SampleCount(payload));
        _started = true;
    }

    /// <summary>
    /// The <paramref name="gap"/> samples before <paramref name="payload"/>: lost packets (a discontinuity) concealed
    /// by the decoder, the last of them recovered from the payload's FEC; a longer loss, or a sender's silence, silence.
    /// </summary>
    private void Fill(int gap, bool lost, ReadOnlySpan<byte> payload)
    {
        if (lost && gap <= ConcealedSamples)
        {
            int frame = Math.Min(OpusPacket.SampleCount(payload), gap);
            for (int left = gap - frame; left > 0;)
            {
                int made = _opus!.Conceal(Math.Min(left, OpusDecoder.MaxSamplesPerChannel), _pcm);
                if (made <= 0)
                {
                    break;
                }

                _handler(_pcm.AsSpan(0, made * OpusDecoder.Channels), true);
                left -= made;
            }

            if (frame > 0 && _opus!.DecodeFec(payload, frame, _pcm) is var recovered and > 0)
            {
                _handler(_pcm.AsSpan(0, recovered * OpusDecoder.Channels), true);
            }

            return;
        }

        Array.Clear(_pcm);
        for (int left = gap; left > 0;)
        {
            int silent = Math.Min(left, OpusDecoder.MaxSamplesPerChannel);
            _handler(_pcm.AsSpan(0, silent * OpusDecoder.Channels), lost);
            left -= silent;
        }
    }
}
