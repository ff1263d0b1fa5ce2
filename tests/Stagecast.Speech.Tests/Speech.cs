using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Stagecast.Speech.Tests;

/// <summary>Sentences said by espeak-ng (the <c>en-us+edward</c> voice at 140 words a minute), as 16 kHz mono samples.</summary>
internal static class Speech
{
    public static short[] Say(string text) => MemoryMarshal.Cast<byte, short>(Render(text, ["-ar", "16000", "-ac", "1", "-f", "s16le"])).ToArray();

    /// <summary>The same as a WebRTC peer's decoded Opus gives it: 48 kHz interleaved stereo float.</summary>
    public static float[] SayAt48kStereo(string text) => MemoryMarshal.Cast<byte, float>(Render(text, ["-ar", "48000", "-ac", "2", "-f", "f32le"])).ToArray();

    private static byte[] Render(string text, string[] format)
    {
        var espeak = Process.Start(new ProcessStartInfo("espeak-ng", ["-v", "en-us+edward", "-s", "140", "--stdout", text])
        {
            RedirectStandardOutput = true,
        })!;
        var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", ["-loglevel", "error", "-i", "-", .. format, "-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        })!;
        var copy = Task.Run(async () =>
        {
            await espeak.StandardOutput.BaseStream.CopyToAsync(ffmpeg.StandardInput.BaseStream);
            ffmpeg.StandardInput.Close();
        });
        using var pcm = new MemoryStream();
        ffmpeg.StandardOutput.BaseStream.CopyTo(pcm);
        copy.GetAwaiter().GetResult();
        espeak.WaitForExit();
        ffmpeg.WaitForExit();
        Assert.True(espeak.ExitCode == 0 && ffmpeg.ExitCode == 0, "espeak-ng and ffmpeg made the speech");
        return pcm.ToArray();
    }

    public static short[] Silence(TimeSpan length) => new short[(int)(length.TotalSeconds * VoiceActivitySegmenter.SampleRate)];

    /// <summary>Quiet noise, as a room's (about -60 dBFS).</summary>
    public static short[] RoomNoise(TimeSpan length, int seed = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, (int)(length.TotalSeconds * VoiceActivitySegmenter.SampleRate)).Select(_ => (short)random.Next(-40, 41))];
    }
}
