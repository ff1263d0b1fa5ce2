using System.Runtime.InteropServices;

namespace Stagecast.Streaming.Audio;

/// <summary>
/// Decodes Opus packets to 48 kHz stereo float PCM with Debian's libopus (<c>libopus.so.0</c>, package libopus0),
/// in process: a participant's audio costs a few microseconds per 20 ms packet, no child process. A lost packet is
/// concealed by the decoder (<see cref="Conceal"/>), or recovered from the next one's FEC (<see cref="DecodeFec"/>).
/// </summary>
public sealed partial class OpusDecoder : IDisposable
{
    public const int SampleRate = 48000;
    public const int Channels = 2;

    /// <summary>The longest Opus packet: 120 ms.</summary>
    public const int MaxSamplesPerChannel = SampleRate * 120 / 1000;

    private const string Library = "libopus.so.0";
    private readonly DecoderHandle _handle;

    public OpusDecoder()
    {
        _handle = opus_decoder_create(SampleRate, Channels, out int error);
        if (error != 0 || _handle.IsInvalid)
        {
            throw new InvalidOperationException($"libopus could not create a decoder (error {error})");
        }
    }

    /// <summary>Whether libopus can be loaded here.</summary>
    public static bool IsAvailable => NativeLibrary.TryLoad(Library, out _);

    /// <summary>Decodes one packet into <paramref name="pcm"/> (interleaved stereo); returns samples per channel, 0 for a packet it refuses.</summary>
    public int Decode(ReadOnlySpan<byte> packet, Span<float> pcm)
    {
        if (pcm.Length < MaxSamplesPerChannel * Channels)
        {
            throw new ArgumentException("the output holds less than 120 ms of stereo audio", nameof(pcm));
        }

        int samples = opus_decode_float(_handle, packet, packet.Length, pcm, MaxSamplesPerChannel, 0);
        return Math.Max(0, samples);
    }

    /// <summary>
    /// The frame of <paramref name="samplesPerChannel"/> lost just before <paramref name="next"/>, from the forward error
    /// correction <paramref name="next"/> carries (Opus's in-band LBRR), or concealed when it carries none.
    /// </summary>
    public int DecodeFec(ReadOnlySpan<byte> next, int samplesPerChannel, Span<float> pcm)
    {
        int samples = opus_decode_float(_handle, next, next.Length, pcm, Math.Min(samplesPerChannel, MaxSamplesPerChannel), 1);
        return Math.Max(0, samples);
    }

    /// <summary>Fills a gap of <paramref name="samplesPerChannel"/> (a lost packet) with the decoder's concealment.</summary>
    public int Conceal(int samplesPerChannel, Span<float> pcm)
    {
        int samples = opus_decode_float(_handle, default, 0, pcm, Math.Min(samplesPerChannel, MaxSamplesPerChannel), 0);
        return Math.Max(0, samples);
    }

    public void Dispose() => _handle.Dispose();

    [LibraryImport(Library)]
    private static partial DecoderHandle opus_decoder_create(int sampleRate, int channels, out int error);

    [LibraryImport(Library)]
    private static partial int opus_decode_float(DecoderHandle decoder, ReadOnlySpan<byte> data, int length, Span<float> pcm, int frameSize, int decodeFec);

    [LibraryImport(Library)]
    private static partial void opus_decoder_destroy(IntPtr decoder);

    private sealed class DecoderHandle() : SafeHandle(IntPtr.Zero, ownsHandle: true)
    {
        public override bool IsInvalid => handle == IntPtr.Zero;

        protected override bool ReleaseHandle()
        {
            opus_decoder_destroy(handle);
            return true;
        }
    }
}
