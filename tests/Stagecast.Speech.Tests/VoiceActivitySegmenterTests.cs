using Stagecast.Testing;

namespace Stagecast.Speech.Tests;

/// <summary>A speaker's audio cut at its pauses: each sentence one utterance, with its time; clicks and silence none.</summary>
public sealed class VoiceActivitySegmenterTests
{
    [Fact]
    public void TwoSentencesWithAPauseBetweenAreTwoUtterancesAtTheirTimes()
    {
        short[] first = SpokenAudio.Say("hello everyone and welcome to the meeting");
        short[] second = SpokenAudio.Say("thank you all for coming");
        var segmenter = new VoiceActivitySegmenter();
        var cut = new List<Utterance>();
        // Fed in 20 ms packets of 320 samples, as a decoder hands them over.
        foreach (short[] part in new[] { SpokenAudio.RoomNoise(TimeSpan.FromSeconds(1)), first, SpokenAudio.RoomNoise(TimeSpan.FromSeconds(1.5), 2), second, SpokenAudio.RoomNoise(TimeSpan.FromSeconds(1), 3) })
        {
            for (int at = 0; at < part.Length; at += 320)
            {
                cut.AddRange(segmenter.Add(part.AsSpan(at, Math.Min(320, part.Length - at))));
            }
        }

        Assert.Null(segmenter.Flush());
        Assert.Equal(2, cut.Count);
        double secondStarts = 1 + ((double)first.Length / VoiceActivitySegmenter.SampleRate) + 1.5;
        Assert.InRange(cut[0].Start.TotalSeconds, 0.7, 1.2); // espeak-ng's own lead-in is a little silence too
        Assert.InRange(cut[1].Start.TotalSeconds, secondStarts - 0.3, secondStarts + 0.2);
        Assert.True(cut[0].End < cut[1].Start);
    }

    [Fact]
    public void AClickIsNoUtteranceAndASpeakerWhoNeverPausesIsCutAtTheLimit()
    {
        var segmenter = new VoiceActivitySegmenter();
        short[] click = SpokenAudio.RoomNoise(TimeSpan.FromSeconds(2));
        for (int i = 16_000; i < 16_000 + 1_600; i++)
        {
            click[i] = (short)(i % 2 == 0 ? 12_000 : -12_000); // 100 ms
        }

        Assert.Empty(segmenter.Add(click));
        Assert.Null(segmenter.Flush());

        // Twenty seconds and more of speech without a pause: cut at the limit, the rest kept for the next utterance.
        short[] talk = SpokenAudio.Say(string.Join(" and ", Enumerable.Repeat("we keep on talking about the plans for next week", 6)));
        Assert.True(talk.Length > 20 * VoiceActivitySegmenter.SampleRate, $"{talk.Length} samples");
        var cut = segmenter.Add(talk);
        Assert.Equal(VoiceActivitySegmenter.MaxUtterance.TotalSeconds * VoiceActivitySegmenter.SampleRate, Assert.Single(cut).Samples.Length);
        Assert.NotNull(segmenter.Flush()); // the rest, at the end of the speaker's audio
    }

    [Fact]
    public void SamplesMadeUpForLostPacketsAreCountedInTheirUtteranceWhichIsDamagedPastATenth()
    {
        short[] sentence = SpokenAudio.Say("hello everyone and welcome to the meeting");
        Utterance Cut(int concealedPackets)
        {
            var segmenter = new VoiceActivitySegmenter();
            var cut = new List<Utterance>();
            cut.AddRange(segmenter.Add(SpokenAudio.RoomNoise(TimeSpan.FromSeconds(1))));
            for (int at = 0, packet = 0; at < sentence.Length; at += 320, packet++)
            {
                // Every fifth packet of the first concealedPackets * 5 was lost and made up by the decoder.
                bool concealed = packet % 5 == 2 && packet / 5 < concealedPackets;
                cut.AddRange(segmenter.Add(sentence.AsSpan(at, Math.Min(320, sentence.Length - at)), concealed));
            }

            cut.AddRange(segmenter.Add(SpokenAudio.RoomNoise(TimeSpan.FromSeconds(1), 2)));
            return Assert.Single(cut);
        }

        var clean = Cut(0);
        Assert.Equal(0, clean.ConcealedSamples);
        Assert.False(clean.IsDamaged);

        var afew = Cut(3); // 60 ms of about two seconds
        Assert.Equal(3 * 320, afew.ConcealedSamples);
        Assert.False(afew.IsDamaged);

        var many = Cut(int.MaxValue); // one packet in five: a fifth of the speech
        Assert.True(many.ConcealedSamples * 10 > many.Samples.Length, $"{many.ConcealedSamples} of {many.Samples.Length}");
        Assert.True(many.IsDamaged);
    }
}
