using Stagecast.Testing;

namespace Stagecast.Speech.Tests;

/// <summary>
/// The engines on the server's CPU: PocketSphinx (Debian's packages) hears plain sentences said by espeak-ng within
/// a word error rate it meets here (English only); whisper's model is checked when it is loaded, a missing, foreign or
/// broken file refused with a message naming it, and an English-only model recognises English only (a real model on
/// speech: WhisperTinyTests); with no engine, nothing is made.
/// </summary>
public sealed class SpeechEngineTests
{
    private static readonly string[] Sentences = SpokenAudio.MeetingSentences[..7];

    [Fact]
    public void PocketSphinxHearsPlainSentencesWithinTheWordErrorRateItMeetsHere()
    {
        using var engine = SpeechRecognizers.Create(new TranscriptionOptions { Engine = "pocketsphinx" })!;
        Assert.Equal(("pocketsphinx", true, false), (engine.Engine, engine.Recognises("en"), engine.Recognises("es")));
        var heard = Sentences.Select(s => engine.Recognize(SpokenAudio.Say(s))).ToList();

        // Measured here: 7 of 41 words wrong (17 %; Debian 12's models on espeak-ng's voice, which suits some sentences
        // far better than others); bound at 35 %, so a decoder fed the wrong rate or format (nearly all wrong) fails.
        int words = Sentences.Sum(s => WordErrorRate.Words(s).Length);
        double errors = Sentences.Zip(heard, (said, h) => WordErrorRate.Of(said, h) * WordErrorRate.Words(said).Length).Sum();
        Assert.True(errors / words <= 0.35, $"word error rate {errors / words:P0}: {string.Join(" | ", heard)}");
        Assert.Equal("", engine.Recognize(SpokenAudio.Silence(TimeSpan.FromSeconds(1))));
    }

    [Fact]
    public void APocketSphinxModelDirectoryThatIsNotThereIsNamed()
    {
        var refused = Assert.Throws<SpeechEngineException>(() =>
            SpeechRecognizers.Create(new TranscriptionOptions { Engine = "pocketsphinx", PocketSphinxModel = "/nowhere/en-us" }));
        Assert.Equal("pocketsphinx: /nowhere/en-us/en-us is missing (install Debian's pocketsphinx-en-us, or name a model directory)", refused.Message);
    }

    [Fact]
    public void AWhisperModelThatIsMissingForeignOrBrokenIsRefusedNamingTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("whisper-models").FullName;
        try
        {
            Assert.Equal("whisper: no model named (--whisper-model PATH, e.g. ggml-base.en.bin)", Refused(null));
            string missing = Path.Combine(dir, "ggml-base.en.bin");
            Assert.Equal($"whisper: the model {missing} does not exist", Refused(missing));

            string foreign = Path.Combine(dir, "page.html");
            File.WriteAllText(foreign, "<html>404 Not Found</html>"); // what a failed download leaves
            Assert.Equal($"whisper: {foreign} is not a whisper.cpp (ggml) model", Refused(foreign));

            // The right first bytes, then nothing a model has: refused before whisper.cpp reads it (its reader would
            // end the process with a C++ exception).
            string broken = Path.Combine(dir, "ggml-broken.bin");
            File.WriteAllBytes(broken, [0x6c, 0x6d, 0x67, 0x67, 1, 0, 0, 0]);
            Assert.Equal($"whisper: {broken} is cut short (its header is incomplete)", Refused(broken));
            File.WriteAllBytes(broken, [0x6c, 0x6d, 0x67, 0x67, .. Enumerable.Repeat((byte)0xff, 400)]);
            Assert.Equal($"whisper: {broken} has a broken header (its hyperparameters are not a whisper model's)", Refused(broken));

            // A model's header (tiny.en's hyperparameters, 80 mel filters of 201) cut off in its vocabulary.
            using (var writer = new BinaryWriter(File.Create(broken)))
            {
                writer.Write(0x67676d6cu);
                foreach (int value in new[] { 51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1 })
                {
                    writer.Write(value);
                }

                writer.Write(80);
                writer.Write(201);
                writer.Write(new byte[80 * 201 * 4]);
                writer.Write(50256); // the tokens it lists: GPT-2's, whisper.cpp adds the special ones
                writer.Write(3u);
                writer.Write("the"u8);
            }

            Assert.Equal($"whisper: {broken} is cut short (in its vocabulary)", Refused(broken));

            // A whole model whose vocabulary lacks the token " " (its one token of one byte): whisper.cpp would load it
            // and end the process on the first utterance.
            byte[] model = File.ReadAllBytes(GeneratedWhisperModel.Write(broken));
            model[model.AsSpan().IndexOf("\u0001\0\0\0 "u8) + 4] = (byte)'x';
            File.WriteAllBytes(broken, model);
            Assert.Equal($"whisper: {broken} has a broken vocabulary (it has no \" \" token)", Refused(broken));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AnEnglishOnlyWhisperModelRecognisesEnglishOnly()
    {
        // The generated model's vocabulary is an English-only model's (51864 tokens, as ggml-base.en's): a meeting held in
        // Spanish, or in several languages, is refused on it (a multilingual model: WhisperTinyTests).
        string model = GeneratedWhisperModel.Write(Path.Combine(Path.GetTempPath(), $"ggml-generated-{Guid.NewGuid():N}.bin"));
        try
        {
            using var engine = SpeechRecognizers.Create(new TranscriptionOptions { Engine = "whisper", WhisperModel = model })!;
            Assert.Equal(("whisper", true, false, false), (engine.Engine, engine.Recognises("en"), engine.Recognises("es"), engine.Recognises(SpeechSettings.AutoDetect)));
        }
        finally
        {
            File.Delete(model);
        }
    }

    [Fact]
    public void WithNoEngineNothingIsMade() =>
        Assert.Null(SpeechRecognizers.Create(new TranscriptionOptions()));

    private static string Refused(string? model) =>
        Assert.Throws<SpeechEngineException>(() => SpeechRecognizers.Create(new TranscriptionOptions { Engine = "whisper", WhisperModel = model })).Message;
}
