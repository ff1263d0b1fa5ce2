using Stagecast.Testing;

namespace Stagecast.Speech.Tests;

/// <summary>
/// whisper.cpp with a real, trained model (<see cref="WhisperTinyModel"/>: OpenAI's Whisper tiny, multilingual, 8-bit)
/// on espeak-ng's sentences: it hears English within a word error rate it meets here, Spanish when told the meeting is
/// held in Spanish (or told to find out), a name it is told to expect, and nothing in silence. Few utterances: each
/// costs whisper's encoder a 30 s window, seconds of a busy CI core.
/// </summary>
public sealed class WhisperTinyTests : IDisposable
{
    private readonly ISpeechRecognizer _engine = SpeechRecognizers.Create(new TranscriptionOptions { Engine = "whisper", WhisperModel = WhisperTinyModel.Path })!;

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void ItHearsEnglishSentencesWithinTheWordErrorRateItMeetsHere()
    {
        // Measured here: 4 of these 17 words wrong (24 %: "meeting" -> "media", "the weather is" -> "but where very"),
        // 13 of 41 over the first seven sentences (32 %; docs/ai.md). Bound at 50 %: audio at the wrong rate, or heard
        // in another language, is nearly all wrong (Spanish heard as English: 111 %).
        string[] said = SpokenAudio.MeetingSentences[..3];
        var (rate, heard) = Rate(said, SpokenAudio.English, SpeechSettings.English);
        Assert.True(rate <= 0.5, $"word error rate {rate:P0}: {heard}");
        Assert.Equal("", _engine.Recognize(SpokenAudio.Silence(TimeSpan.FromSeconds(2))));
    }

    [Fact]
    public void ItHearsSpanishInAMeetingHeldInSpanishOrOneLeftToFindOut()
    {
        Assert.True(_engine.Recognises("es") && _engine.Recognises(SpeechSettings.AutoDetect));
        Assert.False(_engine.Recognises("tlh"));

        // Measured here: 3 of these 10 words wrong (30 %: "hoy" -> "oi", "presupuesto" -> "preso, Weston"); left to find
        // out the language (RealtimeKit's multi), whisper tells Spanish and hears the last sentence exactly. Bound as above.
        var (rate, heard) = Rate(SpokenAudio.SpanishSentences[1..], SpokenAudio.Spanish, new SpeechSettings("es"));
        Assert.True(rate <= 0.5, $"word error rate {rate:P0}: {heard}");
        (rate, heard) = Rate(SpokenAudio.SpanishSentences[2..], SpokenAudio.Spanish, new SpeechSettings(SpeechSettings.AutoDetect));
        Assert.True(rate <= 0.5, $"word error rate {rate:P0}: {heard}");
    }

    [Fact]
    public void ANameItIsToldToExpectIsSpelledRight()
    {
        // Whisper tiny spells what it has not heard of by its sound ("Shivong"); the meeting's keywords, its prompt, put it right.
        short[] said = SpokenAudio.Say("please welcome siobhan");
        Assert.DoesNotContain("Siobhan", _engine.Recognize(said, SpeechSettings.English), StringComparison.Ordinal);
        Assert.Contains("Siobhan", _engine.Recognize(said, new SpeechSettings("en", "Siobhan.")), StringComparison.Ordinal);
    }

    private (double Rate, string Heard) Rate(string[] sentences, string voice, SpeechSettings settings)
    {
        string heard = string.Join(' ', sentences.Select(s => _engine.Recognize(SpokenAudio.Say(s, voice), settings)));
        return (WordErrorRate.Of(string.Join(' ', sentences), heard), heard);
    }
}
