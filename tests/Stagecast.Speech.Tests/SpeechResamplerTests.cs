using Stagecast.Testing;

namespace Stagecast.Speech.Tests;

/// <summary>A WebRTC peer's decoded audio (48 kHz stereo) made the engines' 16 kHz mono, across packets, without aliasing.</summary>
public sealed class SpeechResamplerTests
{
    [Fact]
    public void ATonesPitchAndLevelSurviveAndWhatIsAboveTheNewNyquistIsGone()
    {
        short[] low = new SpeechResampler().Resample(Tone(1_000, seconds: 1)).ToArray();
        Assert.InRange(low.Length, 15_950, 16_000);
        Assert.InRange(ZeroCrossings(low[100..]), 1_980, 2_000); // 1 kHz: two crossings a millisecond
        Assert.InRange(Rms(low[100..]), 0.33, 0.37); // a sine of 0.5 has an RMS of 0.354

        // 12 kHz would fold back to 4 kHz in the speech band; the filter takes it down by more than 40 dB.
        short[] high = new SpeechResampler().Resample(Tone(12_000, seconds: 1)).ToArray();
        Assert.True(Rms(high[100..]) < 0.354 / 100, $"12 kHz left at an RMS of {Rms(high[100..])}");
    }

    [Fact]
    public void PacketsOfAnySizeGiveWhatOneCallGives()
    {
        float[] speech = SpokenAudio.SayAt48kStereo("can you hear me now");
        short[] whole = new SpeechResampler().Resample(speech).ToArray();

        var resampler = new SpeechResampler();
        var parts = new List<short>();
        int[] sizes = [1920, 2, 960, 14, 5760]; // 20 ms, a lone frame, 10 ms, seven frames, 60 ms (in floats: whole stereo frames)
        for (int at = 0, i = 0; at < speech.Length; i++)
        {
            int take = Math.Min(sizes[i % sizes.Length], speech.Length - at);
            parts.AddRange(resampler.Resample(speech.AsSpan(at, take)));
            at += take;
        }

        Assert.Equal(whole, parts);
    }

    [Fact]
    public void SpeechAt48kStereoIsHeardAfterResampling()
    {
        using var engine = SpeechRecognizers.Create(new TranscriptionOptions { Engine = "pocketsphinx" })!;
        string said = "this is a test of the system";
        string heard = engine.Recognize(new SpeechResampler().Resample(SpokenAudio.SayAt48kStereo(said)));
        Assert.True(WordErrorRate.Of(said, heard) <= 0.35, heard);
    }

    private static float[] Tone(double hertz, double seconds)
    {
        int frames = (int)(seconds * SpeechResampler.InputRate);
        float[] stereo = new float[frames * 2];
        for (int i = 0; i < frames; i++)
        {
            stereo[2 * i] = stereo[(2 * i) + 1] = (float)(0.5 * Math.Sin(2 * Math.PI * hertz * i / SpeechResampler.InputRate));
        }

        return stereo;
    }

    private static int ZeroCrossings(short[] samples) => samples.Zip(samples.Skip(1)).Count(p => (p.First < 0) != (p.Second < 0));

    private static double Rms(short[] samples) => Math.Sqrt(samples.Average(s => (double)s * s)) / 32768;
}
