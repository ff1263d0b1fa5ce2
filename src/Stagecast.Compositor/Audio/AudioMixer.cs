namespace Stagecast.Compositor.Audio;

/// <summary>
/// Mixes the participants' audio into the program's: each input is brought toward a common loudness (its gain
/// adapts slowly while it speaks, between a quarter and four times, and holds while it is silent, so background noise
/// is not pumped up), the inputs are summed, and a limiter keeps the sum's peaks at or below
/// <see cref="Ceiling"/> (the gain drops at once for a block that would exceed it and recovers over about half a
/// second). The output never clips.
/// </summary>
public sealed class AudioMixer
{
    /// <summary>The highest sample value the mix reaches (about -1 dBFS).</summary>
    public const float Ceiling = 0.89f;

    /// <summary>Target loudness: an RMS of 0.1 (-20 dBFS).</summary>
    private const double TargetMeanSquare = 0.01;

    /// <summary>Below this mean square (-50 dBFS) an input counts as silent and its gain holds.</summary>
    private const double SpeechMeanSquare = 1e-5;

    private const float MinGain = 0.25f;
    private const float MaxGain = 4f;

    private float[] _scratch = [];
    private float _limiterGain = 1f;

    /// <summary>The limiter's gain now (1: not limiting).</summary>
    public float LimiterGain => _limiterGain;

    /// <summary>Mixes one block from every input into <paramref name="output"/> (interleaved stereo, overwritten).</summary>
    public void Mix(IReadOnlyList<AudioInput> inputs, Span<float> output)
    {
        output.Clear();
        if (_scratch.Length < output.Length)
        {
            _scratch = new float[output.Length];
        }

        var block = _scratch.AsSpan(0, output.Length);
        foreach (var input in inputs)
        {
            block.Clear();
            int read = input.Read(block);
            if (read == 0)
            {
                continue;
            }

            double meanSquare = MeanSquare(block[..read]);
            if (meanSquare > SpeechMeanSquare)
            {
                // Loudness follows speech over about a second of blocks; the gain moves a little toward the target each block.
                input.Loudness = input.Loudness == 0 ? meanSquare : (input.Loudness * 0.95) + (meanSquare * 0.05);
                float wanted = (float)Math.Clamp(Math.Sqrt(TargetMeanSquare / input.Loudness), MinGain, MaxGain);
                input.Gain += (wanted - input.Gain) * 0.1f;
            }

            float gain = input.Gain;
            for (int i = 0; i < read; i++)
            {
                output[i] += block[i] * gain;
            }
        }

        Limit(output);
    }

    /// <summary>Converts to interleaved 16-bit little-endian PCM (the encoder's input).</summary>
    public static void ToPcm16(ReadOnlySpan<float> samples, Span<byte> destination)
    {
        for (int i = 0; i < samples.Length; i++)
        {
            short value = (short)Math.Clamp(MathF.Round(samples[i] * 32767f), -32768f, 32767f);
            destination[2 * i] = (byte)value;
            destination[(2 * i) + 1] = (byte)(value >> 8);
        }
    }

    private void Limit(Span<float> output)
    {
        float peak = 0;
        foreach (float sample in output)
        {
            peak = Math.Max(peak, Math.Abs(sample));
        }

        float previous = _limiterGain;
        float wanted = peak * previous > Ceiling ? Ceiling / peak : Math.Min(1f, previous * 1.05f);
        if (peak * wanted > Ceiling)
        {
            wanted = Ceiling / peak;
        }

        if (wanted <= previous)
        {
            // Attack: the whole block at the lower gain, so no sample of it exceeds the ceiling.
            for (int i = 0; i < output.Length; i++)
            {
                output[i] *= wanted;
            }
        }
        else
        {
            // Release: ramp up across the block (no click), never above what keeps this block's peak under the ceiling.
            for (int i = 0; i < output.Length; i++)
            {
                float gain = previous + ((wanted - previous) * i / output.Length);
                output[i] *= gain;
            }
        }

        _limiterGain = wanted;
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = Math.Clamp(output[i], -Ceiling, Ceiling);
        }
    }

    private static double MeanSquare(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        foreach (float sample in samples)
        {
            sum += sample * sample;
        }

        return sum / samples.Length;
    }
}
