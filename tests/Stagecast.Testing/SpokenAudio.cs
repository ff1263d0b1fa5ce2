using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Stagecast.Media.Codecs.Opus;

namespace Stagecast.Testing;

/// <summary>
/// Sentences said by espeak-ng (the <c>en-us+edward</c> voice at 140 words a minute, or another language's voice):
/// as 16 kHz mono samples (what the speech engines take), as a WebRTC peer's decoded Opus (48 kHz interleaved stereo
/// float), or as the Opus packets a browser would send (20 ms each, encoded by ffmpeg's libopus).
/// </summary>
public static class SpokenAudio
{
    /// <summary>espeak-ng's voice the sentences are said in unless another is named.</summary>
    public const string English = "en-us+edward";

    /// <summary>espeak-ng's Spanish (Castilian) voice.</summary>
    public const string Spanish = "es";

    private const int SampleRate = 16_000;

    /// <summary>
    /// Twelve plain meeting sentences, fixed: the speech tests use the first seven (PocketSphinx hears them well),
    /// the benchmark all twelve (bench/README.md).
    /// </summary>
    public static readonly string[] MeetingSentences =
    [
        "hello everyone and welcome to the meeting",
        "the weather is nice today",
        "can you hear me now",
        "i will share my screen",
        "we are going to talk about the budget",
        "my name is john",
        "this is a test of the system",
        "let us start with the first question",
        "please turn on your camera",
        "thank you for joining us today",
        "i think we should move on",
        "see you all next week",
    ];

    /// <summary>Plain Spanish meeting sentences (said with <see cref="Spanish"/>), for a meeting held in Spanish.</summary>
    public static readonly string[] SpanishSentences =
    [
        "hola a todos y bienvenidos a la reunión",
        "hoy vamos a hablar del presupuesto",
        "muchas gracias por venir",
    ];

    public static short[] Say(string text, string voice = English) =>
        MemoryMarshal.Cast<byte, short>(Render(text, voice, ["-ar", "16000", "-ac", "1", "-f", "s16le"])).ToArray();

    /// <summary>The same as a WebRTC peer's decoded Opus gives it: 48 kHz interleaved stereo float.</summary>
    public static float[] SayAt48kStereo(string text) => MemoryMarshal.Cast<byte, float>(Render(text, English, ["-ar", "48000", "-ac", "2", "-f", "f32le"])).ToArray();

    /// <summary>The sentence as 20 ms Opus packets (48 kHz stereo), with <paramref name="pause"/> of silence after it.</summary>
    public static List<byte[]> SayAsOpus(string text, TimeSpan pause, string voice = English)
    {
        byte[] ogg = Render(text, voice, ["-af", $"apad=pad_dur={pause.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}", "-ar", "48000", "-ac", "2",
            "-c:a", "libopus", "-frame_duration", "20", "-f", "ogg"]);
        var packets = new List<byte[]>();
        var reader = new OggPageReader();
        var buffer = new ReadOnlySequence<byte>(ogg);
        while (reader.TryReadPage(ref buffer, (packet, _) => packets.Add(packet.ToArray())))
        {
        }

        return [.. packets.Where(p => !p.AsSpan().StartsWith("OpusHead"u8) && !p.AsSpan().StartsWith("OpusTags"u8))];
    }

    private static byte[] Render(string text, string voice, string[] format)
    {
        var espeak = Process.Start(new ProcessStartInfo("espeak-ng", ["-v", voice, "-s", "140", "--stdout", text])
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
        return espeak.ExitCode == 0 && ffmpeg.ExitCode == 0 ? pcm.ToArray() : throw new InvalidOperationException("espeak-ng or ffmpeg failed to make the speech");
    }

    public static short[] Silence(TimeSpan length) => new short[(int)(length.TotalSeconds * SampleRate)];

    /// <summary>Quiet noise, as a room's (about -60 dBFS).</summary>
    public static short[] RoomNoise(TimeSpan length, int seed = 1)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, (int)(length.TotalSeconds * SampleRate)).Select(_ => (short)random.Next(-40, 41))];
    }
}
