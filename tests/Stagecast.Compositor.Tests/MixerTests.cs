using Stagecast.Compositor.Audio;

namespace Stagecast.Compositor.Tests;

public sealed class MixerTests
{
    private const int Block = 1600; // 1/30 s at 48 kHz

    private static void Feed(AudioInput input, double amplitude, double frequency, int frames, ref long phase)
    {
        var samples = new float[frames * 2];
        for (int i = 0; i < frames; i++, phase++)
        {
            float value = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * phase / 48000));
            samples[2 * i] = value;
            samples[(2 * i) + 1] = value;
        }

        input.Write(samples);
    }

    private static double Rms(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        foreach (float s in samples)
        {
            sum += s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    [Fact]
    public void AQuietAndALoudSpeakerEndUpCloseInLevel()
    {
        var mixer = new AudioMixer();
        var quiet = new AudioInput();
        var loud = new AudioInput();
        long quietPhase = 0;
        long loudPhase = 0;
        var output = new float[Block * 2];
        double quietLevel = 0;
        double loudLevel = 0;
        for (int block = 0; block < 300; block++)
        {
            // Each speaks alone in turn for a second, so each one's level in the mix can be read.
            bool quietTurn = block / 30 % 2 == 0;
            Feed(quiet, quietTurn ? 0.02 : 0, 300, Block, ref quietPhase);
            Feed(loud, quietTurn ? 0 : 0.6, 500, Block, ref loudPhase);
            mixer.Mix([quiet, loud], output);
            if (block >= 240 && block % 30 > 10)
            {
                (quietTurn ? ref quietLevel : ref loudLevel) = Rms(output);
            }
        }

        Assert.True(quietLevel > 0.02 * 0.7 * 2, $"the quiet speaker was not raised: {quietLevel:F3}");
        Assert.True(loudLevel < 0.6 * 0.7 * 0.5, $"the loud speaker was not lowered: {loudLevel:F3}");
        Assert.InRange(loudLevel / quietLevel, 0.5, 2.5);
    }

    [Fact]
    public void TheSumOfManyLoudInputsNeverExceedsTheCeiling()
    {
        var mixer = new AudioMixer();
        var inputs = Enumerable.Range(0, 8).Select(_ => new AudioInput()).ToList();
        var phases = new long[inputs.Count];
        var output = new float[Block * 2];
        float peak = 0;
        for (int block = 0; block < 90; block++)
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                Feed(inputs[i], 0.95, 200 + (i * 50), Block, ref phases[i]);
            }

            mixer.Mix(inputs, output);
            peak = Math.Max(peak, output.Max(Math.Abs));
        }

        Assert.True(peak <= AudioMixer.Ceiling, $"peak {peak}");
        Assert.True(peak > 0.5f, $"the limiter crushed the mix to {peak}");
        Assert.True(mixer.LimiterGain < 1f);
    }

    [Fact]
    public void AnInputPlaysOnlyOnceItHasACushionAndDropsWhatIsTooOld()
    {
        var input = new AudioInput();
        var block = new float[960 * 2];
        input.Write(new float[960 * 2]);
        Assert.Equal(0, input.Read(block)); // 20 ms: below the 40 ms cushion
        input.Write(new float[960 * 2]);
        Assert.Equal(block.Length, input.Read(block));

        input.Write(new float[(AudioInput.MaxQueuedFrames + 4800) * 2]);
        Assert.Equal(AudioInput.MaxQueuedFrames, input.Queued);
        Assert.True(input.Dropped >= 4800);
    }

    [Fact]
    public void ABurstDoesNotLeaveTheSoundBehindForGood()
    {
        // 150 ms arrive at once (packets held up on the way), then 20 ms packets at the pace the program reads them.
        var input = new AudioInput();
        long phase = 0;
        Feed(input, 0.5, 440, 7200, ref phase);
        var block = new float[960 * 2];
        int lowest = int.MaxValue;
        for (int packet = 0; packet < 100; packet++)
        {
            Feed(input, 0.5, 440, 960, ref phase);
            Assert.Equal(block.Length, input.Read(block)); // never dry: the sound plays on throughout
            if (packet >= 50)
            {
                lowest = Math.Min(lowest, input.Queued);
            }
        }

        // After a second the queue is back to its cushion: the sound is 40 ms behind its arrival, not 190.
        Assert.InRange(input.Queued, AudioInput.PrebufferFrames - 960, AudioInput.PrebufferFrames * 3 / 2);
        Assert.Equal(7200 - AudioInput.PrebufferFrames, input.Trimmed);
        Assert.True(lowest > 0);

        // A queue that only ever holds its cushion loses nothing.
        var steady = new AudioInput();
        Feed(steady, 0.5, 440, AudioInput.PrebufferFrames, ref phase);
        for (int packet = 0; packet < 100; packet++)
        {
            Feed(steady, 0.5, 440, 960, ref phase);
            Assert.Equal(block.Length, steady.Read(block));
        }

        Assert.Equal(0, steady.Trimmed);
    }

    [Fact]
    public void Pcm16ConversionRoundsAndSaturates()
    {
        var bytes = new byte[8];
        AudioMixer.ToPcm16([0.5f, -1f, 2f, 0f], bytes);
        Assert.Equal(16384, BitConverter.ToInt16(bytes, 0));
        Assert.Equal(-32767, BitConverter.ToInt16(bytes, 2));
        Assert.Equal(32767, BitConverter.ToInt16(bytes, 4));
        Assert.Equal(0, BitConverter.ToInt16(bytes, 6));
    }
}
