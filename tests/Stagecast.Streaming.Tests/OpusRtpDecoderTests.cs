using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Rtp;
using Stagecast.Streaming.Audio;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

/// <summary>
/// A stream's Opus RTP as PCM on the stream's own timeline: a second of packets is a second of PCM whatever was lost,
/// a loss concealed (and said to be), a sender's silence (timestamps jump, sequence numbers do not) kept as silence,
/// packets put back in order. Real Opus from ffmpeg's libopus (a 1 kHz tone, 20 ms packets).
/// </summary>
public sealed class OpusRtpDecoderTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task LostPacketsAreConcealedAndASendersSilenceIsSilenceSoThePcmKeepsTheStreamsTime()
    {
        var packets = await ToneAsync();
        var heard = new List<(int Samples, bool Concealed, float Peak)>();
        using var decoder = new OpusRtpDecoder(TimeSpan.FromMilliseconds(60), _time, (pcm, concealed) =>
            heard.Add((pcm.Length / OpusDecoder.Channels, concealed, pcm.IsEmpty ? 0 : MaxAbs(pcm))));

        // Packets 0-9, then 10 and 11 lost, then 12-19: the gap is waited for, then concealed.
        ushort sequence = 1000;
        uint timestamp = 90_000;
        for (int i = 0; i < 20; i++, sequence++, timestamp += 960)
        {
            if (i is 10 or 11)
            {
                continue;
            }

            decoder.Push(Rtp(sequence, timestamp, packets[i]));
            if (i == 12)
            {
                _time.Advance(TimeSpan.FromMilliseconds(100)); // the wait for 10 and 11 runs out
            }
        }

        Assert.Equal(20 * 960, heard.Sum(h => h.Samples)); // a sample for every one the sender sent
        Assert.Equal(2 * 960, heard.Where(h => h.Concealed).Sum(h => h.Samples));
        Assert.Equal(2, decoder.Lost);

        // The sender goes quiet for 400 ms (DTX): the next packet's timestamp jumps, its sequence number does not.
        heard.Clear();
        timestamp += 400 * 48;
        decoder.Push(Rtp(sequence++, timestamp, packets[20]));
        var silence = heard[..^1];
        Assert.Equal(400 * 48, silence.Sum(h => h.Samples));
        Assert.All(silence, h => Assert.Equal((false, 0f), (h.Concealed, h.Peak)));
        Assert.Equal((960, false), (heard[^1].Samples, heard[^1].Concealed));
        Assert.True(heard[^1].Peak > 0.1f, "the tone after the silence");

        // Out of order: put back in order, nothing made up.
        heard.Clear();
        timestamp += 960;
        decoder.Push(Rtp((ushort)(sequence + 1), timestamp + 960, packets[22]));
        decoder.Push(Rtp(sequence, timestamp, packets[21]));
        Assert.Equal(2 * 960, heard.Sum(h => h.Samples));
        Assert.DoesNotContain(heard, h => h.Concealed);
    }

    private static float MaxAbs(ReadOnlySpan<float> pcm)
    {
        float max = 0;
        foreach (float sample in pcm)
        {
            max = Math.Max(max, Math.Abs(sample));
        }

        return max;
    }

    private static byte[] Rtp(ushort sequence, uint timestamp, byte[] payload)
    {
        var packet = new byte[RtpHeader.FixedLength + payload.Length];
        RtpHeader.Write(packet, marker: false, 111, sequence, timestamp, 0x55555555);
        payload.CopyTo(packet.AsSpan(RtpHeader.FixedLength));
        return packet;
    }

    /// <summary>A second of a 1 kHz tone as libopus's 20 ms packets.</summary>
    private static async Task<List<byte[]>> ToneAsync()
    {
        string file = Path.Combine(Path.GetTempPath(), $"tone-{Guid.NewGuid():N}.opus");
        try
        {
            var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
                ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1", "-c:a", "libopus", "-b:a", "64k",
                 "-frame_duration", "20", "-f", "ogg", file],
                TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, error);
            var buffer = new ReadOnlySequence<byte>(await File.ReadAllBytesAsync(file));
            var packets = new List<byte[]>();
            var reader = new OggPageReader();
            while (reader.TryReadPage(ref buffer, (packet, _) => packets.Add(packet.ToArray())))
            {
            }

            return [.. packets.Skip(2)]; // OpusHead and OpusTags
        }
        finally
        {
            File.Delete(file);
        }
    }
}
