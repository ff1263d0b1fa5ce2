using System.Diagnostics;
using Stagecast.Testing.WebRtc;

namespace Stagecast.Bench;

/// <summary>The transcription scenario's speakers: saying their sentences as a browser's Opus, in real time.</summary>
internal static class Speaking
{
    private const int SamplesPerPacket = 16_000 / 50; // Opus frames of 20 ms

    /// <summary>
    /// Every speaker says its sentences one after the other, a 20 ms Opus packet at a time in real time, each followed by
    /// its pause; an utterance is noted when its last speech packet is sent. Once stopped, a speaker
    /// finishes the sentence it is saying and falls silent.
    /// </summary>
    public static async Task TalkAsync(List<Speaker> speakers, List<Spoken> spoken, CancellationToken stop)
    {
        long started = Stopwatch.GetTimestamp();
        long sent = 0;
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (await ticker.WaitForNextTickAsync(CancellationToken.None))
        {
            for (long due = (long)(Stopwatch.GetElapsedTime(started).TotalMilliseconds / 20); sent < due; sent++)
            {
                foreach (var speaker in speakers)
                {
                    var sentence = spoken[speaker.Sentence];
                    if (stop.IsCancellationRequested && (speaker.Packet == 0 || speaker.Packet >= sentence.SpeechPackets))
                    {
                        continue;
                    }

                    speaker.Send(sentence.Opus[speaker.Packet]);
                    if (speaker.Packet == sentence.SpeechPackets - 1)
                    {
                        speaker.Said.Add((sentence.Text, DateTimeOffset.UtcNow, Stopwatch.GetTimestamp()));
                    }

                    if (++speaker.Packet == sentence.Opus.Count)
                    {
                        speaker.Packet = 0;
                        speaker.Sentence = (speaker.Sentence + 1) % spoken.Count;
                    }
                }
            }

            if (stop.IsCancellationRequested && speakers.All(s => s.Packet == 0 || s.Packet >= spoken[s.Sentence].SpeechPackets))
            {
                return;
            }
        }
    }

    /// <summary>Opus silence from every speaker for <paramref name="length"/>, in real time: their last utterances end at the server.</summary>
    public static async Task WhileSilentAsync(List<Speaker> speakers, TimeSpan length)
    {
        long started = Stopwatch.GetTimestamp();
        long sent = 0;
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        while (Stopwatch.GetElapsedTime(started) < length && await ticker.WaitForNextTickAsync())
        {
            for (long due = (long)(Stopwatch.GetElapsedTime(started).TotalMilliseconds / 20); sent < due; sent++)
            {
                speakers.ForEach(s => s.Send(null));
            }
        }
    }

    /// <summary>Opus frames of 20 ms at 16 kHz: the packets a sentence's speech fills.</summary>
    public static int PacketsOf(short[] samples) => (samples.Length + SamplesPerPacket - 1) / SamplesPerPacket;
}

/// <summary>A sentence: its text, its 16 kHz samples, its Opus packets (speech, then the pause), how many of them are speech.</summary>
internal sealed record Spoken(string Text, short[] Samples, List<byte[]> Opus)
{
    public int SpeechPackets { get; } = Math.Min(Opus.Count, Speaking.PacketsOf(Samples));
}

/// <summary>An utterance said: whose, its text, the wall clock and the Stopwatch timestamp when its last speech packet was sent.</summary>
internal sealed record Said(string PeerId, string Text, DateTimeOffset EndedAt, long Sent);

/// <summary>A transcript at the peer: whose, its words, its <c>ended_at</c>, and the Stopwatch timestamp when it arrived.</summary>
internal sealed record Heard(string PeerId, string Text, DateTimeOffset EndedAt, long Arrived);

/// <summary>A speaker of the meeting: its channel and WHIP publisher, where it is in its sentences, what it said and sent.</summary>
internal sealed class Speaker(ChannelClient channel, WhipClient whip, RtpSender sender, int sentence)
{
    private long _packets;

    public ChannelClient Channel { get; } = channel;

    public WhipClient Whip { get; } = whip;

    public int Sentence { get; set; } = sentence;

    public int Packet { get; set; }

    /// <summary>Each utterance's end: its text, the wall clock and the Stopwatch timestamp when its last speech packet was sent.</summary>
    public List<(string Text, DateTimeOffset EndedAt, long Sent)> Said { get; } = [];

    /// <summary>Audio packets sent so far.</summary>
    public long Packets => Interlocked.Read(ref _packets);

    /// <summary>Sends an Opus packet (<c>null</c>: the sender's silence) and counts it.</summary>
    public void Send(byte[]? packet)
    {
        if (packet is null)
        {
            sender.Send();
        }
        else
        {
            sender.Send(packet);
        }

        Interlocked.Increment(ref _packets);
    }
}
