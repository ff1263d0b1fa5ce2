namespace Stagecast.Speech;

/// <summary>
/// 48 kHz interleaved stereo float (what the Opus decoder gives) to 16 kHz mono 16-bit (what the engines take): the
/// channels averaged, a windowed-sinc low-pass at 7.2 kHz (below the new Nyquist of 8 kHz, so nothing folds back
/// into the speech band), every third sample kept. Its state carries across calls, so packets of any size join up.
/// </summary>
public sealed class SpeechResampler
{
    public const int InputRate = 48_000;
    private const int Factor = InputRate / VoiceActivitySegmenter.SampleRate;
    private const int Taps = 47;
    private static readonly float[] Kernel = MakeKernel();

    private float[] _mono = new float[Taps - 1]; // the last Taps - 1 inputs of the previous call, then this call's
    private short[] _output = [];
    private int _phase;

    /// <summary>
    /// Resamples <paramref name="stereo"/> (whole frames: pairs of samples); returns the 16 kHz samples it completed,
    /// valid until the next call (the buffers are reused: a 20 ms packet allocates nothing once they have grown).
    /// </summary>
    public ReadOnlySpan<short> Resample(ReadOnlySpan<float> stereo)
    {
        const int history = Taps - 1;
        int frames = stereo.Length / 2;
        if (_mono.Length < history + frames)
        {
            Array.Resize(ref _mono, history + frames);
        }

        for (int i = 0; i < frames; i++)
        {
            _mono[history + i] = (stereo[2 * i] + stereo[(2 * i) + 1]) * 0.5f;
        }

        int inputs = history + frames;
        int outputs = _phase + Taps <= inputs ? ((inputs - Taps - _phase) / Factor) + 1 : 0;
        if (_output.Length < outputs)
        {
            _output = new short[outputs];
        }

        int position = _phase;
        for (int o = 0; o < outputs; o++, position += Factor)
        {
            float sum = 0;
            for (int k = 0; k < Taps; k++)
            {
                sum += _mono[position + k] * Kernel[k];
            }

            _output[o] = (short)Math.Clamp(sum * 32767f, short.MinValue, short.MaxValue);
        }

        // Keep the last Taps - 1 inputs at the front for the next call, and where in them the next output starts.
        Array.Copy(_mono, inputs - history, _mono, 0, history);
        _phase = position - (inputs - history);
        return _output.AsSpan(0, outputs);
    }

    private static float[] MakeKernel()
    {
        const double cutoff = 7_200.0 / InputRate;
        float[] kernel = new float[Taps];
        double sum = 0;
        for (int i = 0; i < Taps; i++)
        {
            double n = i - ((Taps - 1) / 2.0);
            double sinc = n == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * n) / (Math.PI * n);
            double blackman = 0.42 - (0.5 * Math.Cos(2 * Math.PI * i / (Taps - 1))) + (0.08 * Math.Cos(4 * Math.PI * i / (Taps - 1)));
            kernel[i] = (float)(sinc * blackman);
            sum += kernel[i];
        }

        for (int i = 0; i < Taps; i++)
        {
            kernel[i] = (float)(kernel[i] / sum);
        }

        return kernel;
    }
}
