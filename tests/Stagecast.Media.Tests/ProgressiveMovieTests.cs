using System.Buffers.Binary;
using Stagecast.Media.Codecs;
using Stagecast.Media.Fmp4;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

/// <summary>A fragmented MP4 (as LL-HLS's writers make a recording's) read back and rewritten with its index in front.</summary>
public class ProgressiveMovieTests
{
    private static readonly TrackLayout AudioVideo = new(
        VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p), AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo));

    [Fact]
    public void EverySampleIsListedInOrderWithItsTimesAndTheIndexPointsAtItsBytes()
    {
        // Two fragments: video (a keyframe, then B-frame order with composition offsets) and audio, then a second keyframe.
        var file = new FragmentedFile(AudioVideo);
        file.Add(Video(0, (3000, 100, true, 6000), (3000, 50, false, 0), (3000, 60, false, 3000)), Audio(0, 1024, 1024, 1024));
        file.Add(Video(9000, (3000, 120, true, 3000)), Audio(3072, 1024));

        var (index, progressive) = file.Finish();

        var boxes = Box.Parse(progressive);
        Assert.Equal(["ftyp", "moov", "mdat"], boxes.Select(b => b.Type));
        var moov = Box.Find(boxes, "moov");
        Assert.DoesNotContain(moov.Children, b => b.Type == "mvex");
        var video = moov.Children.Where(b => b.Type == "trak").ElementAt(0).Child("mdia/minf/stbl");
        Assert.Equal(["stsd", "stts", "ctts", "stss", "stsc", "stsz", "stco"], video.Children.Select(b => b.Type));
        Assert.Equal([1u, 4, 3000], Entries(video.Child("stts"))); // one run of 3000 ticks: four samples
        Assert.Equal([3u, 1, 6000, 1, 0, 2, 3000], Entries(video.Child("ctts")));
        Assert.Equal([2u, 1, 4], Entries(video.Child("stss")));
        Assert.Equal([2u, 1, 3, 1, 2, 1, 1], Entries(video.Child("stsc")));
        Assert.Equal([0u, 4, 100, 50, 60, 120], Entries(video.Child("stsz"), 0));
        var audio = moov.Children.Where(b => b.Type == "trak").ElementAt(1).Child("mdia/minf/stbl");
        Assert.Equal(["stsd", "stts", "stsc", "stsz", "stco"], audio.Children.Select(b => b.Type)); // every sample a sync sample, no offsets

        // Each chunk's offset holds that chunk's first sample, as the fragmented file had it; mdat is every sample, in order.
        uint[] videoChunks = Entries(video.Child("stco"))[1..];
        uint[] audioChunks = Entries(audio.Child("stco"))[1..];
        Assert.Equal(file.SampleBytes(0, 0), progressive.AsSpan((int)videoChunks[0], 100).ToArray());
        Assert.Equal(file.SampleBytes(1, 0), progressive.AsSpan((int)videoChunks[1], 120).ToArray());
        Assert.Equal(file.AudioBytes(1, 0), progressive.AsSpan((int)audioChunks[1], 10).ToArray());
        Assert.Equal(file.AllSampleBytes(), Box.Find(boxes, "mdat").Payload);
        Assert.Equal(index.PayloadLength, Box.Find(boxes, "mdat").Payload.Length);

        // Durations: the movie's in its timescale (1000), each track's in its own.
        Assert.Equal(133u, moov.Child("mvhd").UInt32At(16)); // video: 12000 / 90000 s
        Assert.Equal(12000u, moov.Children.First(b => b.Type == "trak").Child("mdia/mdhd").UInt32At(16));
    }

    [Fact]
    public void AGapBetweenFragmentsLengthensTheSampleBeforeItAndATrackThatStartsLateWaitsForItsTime()
    {
        var file = new FragmentedFile(AudioVideo);
        file.Add(Video(0, (3000, 10, true, 0)), Audio(480, 1024)); // audio 10 ms after the picture
        file.Add(Video(90000, (3000, 10, true, 0)), Audio(48480, 1024)); // a second later: a gap in both

        var (_, progressive) = file.Finish();

        var traks = Box.Find(Box.Parse(progressive), "moov").Children.Where(b => b.Type == "trak").ToList();
        Assert.Equal([2u, 1, 90000, 1, 3000], Entries(traks[0].Child("mdia/minf/stbl/stts")));
        Assert.DoesNotContain(traks[0].Children, b => b.Type == "edts");
        Assert.Equal([2u, 1, 48000, 1, 1024], Entries(traks[1].Child("mdia/minf/stbl/stts")));
        // elst: an empty edit of 10 ms (media_time -1), then the media from its start (49024 / 48000 s).
        byte[] elst = traks[1].Children.Single(b => b.Type == "edts").Payload;
        Assert.Equal("00000028" + "656c7374" + "00000000" + "00000002" + "0000000a" + "ffffffff" + "00010000" + "000003fd" + "00000000" + "00010000",
            Hex.Of(elst));
    }

    [Fact]
    public void AFragmentWhoseSamplesWereNotAllWrittenIsLeftOut()
    {
        var file = new FragmentedFile(AudioVideo);
        file.Add(Video(0, (3000, 100, true, 0)), Audio(0, 1024));
        file.Add(Video(3000, (3000, 100, false, 0)), Audio(1024, 1024));
        byte[] cut = file.Bytes[..^1];

        var index = new FragmentedMovieIndex();
        long at = 0;
        bool complete = true;
        while (at < cut.Length && complete)
        {
            Assert.True(BoxHeader.TryRead(cut.AsSpan((int)at), out var header));
            var body = cut.AsSpan((int)at + header.HeaderLength, (int)header.Size - header.HeaderLength);
            if (header.Type == BoxTypes.Moov)
            {
                index.AddMovie(body);
            }
            else if (header.Type == BoxTypes.Moof)
            {
                complete = index.AddFragment(body, at, cut.Length);
            }

            at += header.Size;
        }

        Assert.False(complete);
        Assert.Equal(2, index.Chunks.Count); // the first fragment's two runs
        Assert.Equal([1, 1], index.Tracks.Select(t => t.Samples.Count));
    }

    [Fact]
    public void PastFourGibibytesTheOffsetsAreSixtyFourBitAndSoIsTheMdatSize()
    {
        var file = new FragmentedFile(new TrackLayout(AudioVideo.Video, null));
        var index = file.Index();
        // A fragment that says its samples are 3 GiB, twice: nothing is read, only the index grows.
        var samples = Enumerable.Repeat(new FragmentSample(3000, 8 * 1024 * 1024, true, 0), 384).ToArray();
        var box = new BoxBuffer();
        FragmentWriter.WriteHeader(box, 9, [new TrackRun(1, 0, samples, IsVideo: true)]);
        byte[] moof = box.WrittenSpan[8..(int)BinaryPrimitives.ReadUInt32BigEndian(box.WrittenSpan)].ToArray();
        Assert.True(index.AddFragment(moof, 1_000, long.MaxValue));
        Assert.True(index.AddFragment(moof, 4_000_000_000, long.MaxValue));

        byte[] header = ProgressiveMovieWriter.WriteHeader(index);

        var boxes = Box.Parse(header[..^16]); // ftyp, moov; the mdat header follows
        var stbl = Box.Find(boxes, "moov/trak/mdia/minf/stbl");
        var co64 = stbl.Child("co64");
        Assert.Equal(2u, co64.UInt32At(4));
        Assert.Equal((ulong)header.Length, BinaryPrimitives.ReadUInt64BigEndian(co64.Payload.AsSpan(8)));
        Assert.Equal((ulong)header.Length + (384UL * 8 * 1024 * 1024), BinaryPrimitives.ReadUInt64BigEndian(co64.Payload.AsSpan(16)));
        Assert.Equal("00000001" + "6d646174", Hex.Of(header.AsSpan(header.Length - 16, 8)));
        Assert.Equal(16 + (2UL * 384 * 8 * 1024 * 1024), BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(header.Length - 8)));
    }

    [Fact]
    public void MalformedBoxesAreRefused()
    {
        var file = new FragmentedFile(AudioVideo);
        file.Add(Video(0, (3000, 10, true, 0)), Audio(0, 1024));
        var index = new FragmentedMovieIndex();
        Assert.Throws<MediaFormatException>(() => index.AddFragment(new byte[8], 0, 100)); // a moof before the moov
        var moov = Box.Find(Box.Parse(file.Bytes), "moov").Payload;
        index.AddMovie(moov);
        Assert.Throws<MediaFormatException>(() => index.AddMovie(moov));

        // A track run that says it has more samples than its box holds, and a box that runs past its parent.
        var box = new BoxBuffer();
        FragmentWriter.WriteHeader(box, 1, [new TrackRun(1, 0, new FragmentSample[] { new(3000, 10, true, 0) }, IsVideo: true)]);
        byte[] moof = box.WrittenSpan[8..^8].ToArray();
        int trun = moof.AsSpan().IndexOf("trun"u8);
        BinaryPrimitives.WriteUInt32BigEndian(moof.AsSpan(trun + 8), 1000);
        Assert.Throws<MediaFormatException>(() => index.AddFragment(moof, 0, long.MaxValue));
        BinaryPrimitives.WriteUInt32BigEndian(moof.AsSpan(0), 10_000);
        Assert.Throws<MediaFormatException>(() => index.AddFragment(moof, 0, long.MaxValue));
    }

    private static TrackRun Video(ulong decodeTime, params (uint Duration, int Size, bool Key, int Offset)[] samples) =>
        new(1, decodeTime, samples.Select(s => new FragmentSample(s.Duration, s.Size, s.Key, s.Offset)).ToArray(), IsVideo: true);

    private static TrackRun Audio(ulong decodeTime, params uint[] durations) =>
        new(2, decodeTime, durations.Select(d => new FragmentSample(d, 10, true, 0)).ToArray(), IsVideo: false);

    /// <summary>The entries of a full box's table, as 32-bit numbers after its version and flags, from <paramref name="skip"/> on.</summary>
    private static uint[] Entries(Box box, int skip = 0) =>
        [.. Enumerable.Range(0, (box.Payload.Length - 4) / 4).Skip(skip).Select(i => box.UInt32At(4 + (i * 4)))];

    /// <summary>A fragmented MP4 made in memory: the init segment, then moof + mdat per fragment, each sample's bytes its own.</summary>
    private sealed class FragmentedFile(TrackLayout layout)
    {
        private readonly List<byte> _bytes = [.. InitSegmentWriter.Write(layout)];
        private readonly List<List<byte[]>> _video = [];
        private readonly List<List<byte[]>> _audio = [];
        private uint _sequence = 1;
        private int _next;

        public byte[] Bytes => [.. _bytes];

        public void Add(params TrackRun[] runs)
        {
            var box = new BoxBuffer();
            FragmentWriter.WriteHeader(box, _sequence++, runs);
            _bytes.AddRange(box.WrittenSpan.ToArray());
            foreach (var run in runs)
            {
                var samples = run.Samples.ToArray().Select(s => Enumerable.Range(0, s.Size).Select(_ => (byte)_next++).ToArray()).ToList();
                (run.IsVideo ? _video : _audio).Add(samples);
                samples.ForEach(_bytes.AddRange);
            }
        }

        public byte[] SampleBytes(int fragment, int sample) => _video[fragment][sample];

        public byte[] AudioBytes(int fragment, int sample) => _audio[fragment][sample];

        public byte[] AllSampleBytes() => [.. _video.Zip(_audio).SelectMany(f => f.First.Concat(f.Second)).SelectMany(s => s)];

        public FragmentedMovieIndex Index()
        {
            var index = new FragmentedMovieIndex();
            byte[] file = Bytes;
            long at = 0;
            while (at < file.Length)
            {
                Assert.True(BoxHeader.TryRead(file.AsSpan((int)at), out var header));
                var body = file.AsSpan((int)at + header.HeaderLength, (int)header.Size - header.HeaderLength);
                if (header.Type == BoxTypes.Moov)
                {
                    index.AddMovie(body);
                }
                else if (header.Type == BoxTypes.Moof)
                {
                    Assert.True(index.AddFragment(body, at, file.Length));
                }

                at += header.Size;
            }

            return index;
        }

        /// <summary>The index, and the progressive file: its header, then every chunk's bytes copied in order.</summary>
        public (FragmentedMovieIndex Index, byte[] File) Finish()
        {
            var index = Index();
            byte[] file = Bytes;
            byte[] header = ProgressiveMovieWriter.WriteHeader(index);
            return (index, [.. header, .. index.Chunks.SelectMany(c => file.AsSpan((int)c.Offset, (int)c.Length).ToArray())]);
        }
    }
}
