using System.Buffers;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Streaming.Audio;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

public sealed class OpusDecoderTests
{
    [Fact]
    public async Task OpusFromFfmpegDecodesBackToItsToneAndALossIsConcealed()
    {
        string file = Path.Combine(Path.GetTempPath(), $"tone-{Guid.NewGuid():N}.opus");
        try
        {
            var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
                ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000:duration=1", "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20", "-f", "ogg", file],
                TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, error);
            var buffer = new ReadOnlySequence<byte>(await File.ReadAllBytesAsync(file));
            var packets = new List<byte[]>();
            var reader = new OggPageReader();
            while (reader.TryReadPage(ref buffer, (packet, _) => packets.Add(packet.ToArray())))
            {
            }

            using var decoder = new OpusDecoder();
            var pcm = new float[OpusDecoder.MaxSamplesPerChannel * 2];
            var left = new List<float>();
            foreach (byte[] packet in packets.Skip(2)) // OpusHead and OpusTags
            {
                int samples = decoder.Decode(packet, pcm);
                for (int i = 0; i < samples; i++)
                {
                    left.Add(pcm[2 * i]);
                }
            }

            Assert.InRange(left.Count, 46000, 50000);
            var steady = left.Skip(4800).Take(38400).ToArray();
            int crossings = steady.Zip(steady.Skip(1)).Count(p => p.First < 0 && p.Second >= 0);
            Assert.InRange(crossings, 790, 810); // 1000 Hz over 0.8 s
            Assert.Equal(960, decoder.Conceal(960, pcm));
            Assert.Equal(0, decoder.Decode([0xFF, 0xFF, 0xFF], pcm)); // garbage is refused, not thrown
        }
        finally
        {
            File.Delete(file);
        }
    }
}
