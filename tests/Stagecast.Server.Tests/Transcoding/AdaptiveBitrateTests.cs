using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Media.Hls;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;
using Stagecast.Transcoding;

namespace Stagecast.Server.Tests.Transcoding;

/// <summary>
/// Adaptive bitrate end to end, through the real server: a livestream asks for <c>source, 360p, 180p</c> over REST,
/// ffmpeg publishes 640x360 over RTMP, and what players get is read back: the multivariant playlist, each rendition's
/// playlist, and parts and segments as ffprobe sees them.
/// </summary>
public sealed partial class AdaptiveBitrateTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const double Frame = 1 / 30.0;

    [Fact]
    public async Task TheMultivariantPlaylistListsTheLadderAndEachPlaylistReportsTheOthers()
    {
        await using var broadcast = await LadderedBroadcast.StartAsync(server, 30);
        // Measured rates come from complete segments: wait for a few (a keyframe a second makes a segment a second). The
        // rungs are listed once their encodes have media: until then the last variant is the source's.
        await Eventually.TrueAsync(async () => await broadcast.MultivariantAsync() is { Variants: [_, _, var p180] }
            && (await broadcast.PlaylistAsync(p180)).Segments.Count(s => s.Uri is not null) >= 3, "three complete segments of the 180p");
        var multivariant = await broadcast.MultivariantAsync();
        Console.WriteLine(string.Join('\n', multivariant.Variants));

        Assert.Equal(["stream.m3u8", "360p_stream.m3u8", "180p_stream.m3u8"], multivariant.Variants.Select(v => Path.GetFileName(v.Uri)));
        Assert.Equal(["640x360", "640x360", "320x180"], multivariant.Variants.Select(v => v.Resolution));
        Assert.All(multivariant.Variants, v => Assert.Equal(30.0, v.FrameRate));
        Assert.All(multivariant.Variants, v => Assert.Matches(Codecs(), v.Codecs));
        Assert.All(multivariant.Variants[1..], v => Assert.StartsWith("avc1.64", v.Codecs)); // the encodes are High profile
        Assert.All(multivariant.Variants, v => Assert.InRange(v.AverageBandwidth!.Value, 1, v.Bandwidth));
        var (source, p360, p180) = (multivariant.Variants[0], multivariant.Variants[1], multivariant.Variants[2]);
        Assert.True(source.Bandwidth > p360.Bandwidth && p360.Bandwidth > p180.Bandwidth, string.Join(", ", multivariant.Variants.Select(v => v.Bandwidth)));
        foreach (var (encode, name) in new[] { (p360, "360p"), (p180, "180p") })
        {
            // What each segment of a constant-bitrate encode holds: the rung's video rate and the source's 64 kbit/s AAC.
            double nominal = RenditionLadder.Find(name)!.VideoBitrate + 64_000;
            Assert.InRange(encode.AverageBandwidth!.Value, 0.75 * nominal, 1.25 * nominal);
            Assert.InRange(encode.Bandwidth, 0.75 * nominal, 1.5 * nominal);
        }

        foreach (var variant in multivariant.Variants)
        {
            var playlist = await broadcast.PlaylistAsync(variant);
            var others = multivariant.Variants.Where(v => v != variant).Select(v => Path.GetFileName(v.Uri));
            Assert.Equal(others.Order(), playlist.RenditionReports.Select(r => r.Uri).Order());
        }
    }

    [Fact]
    public async Task TheSamePartOfEachRenditionStartsAtTheSameTimeAndLastsAsLong()
    {
        await using var broadcast = await LadderedBroadcast.StartAsync(server, 30);
        var variants = (await broadcast.MultivariantAsync()).Variants;
        var source = await Eventually.MatchAsync(() => broadcast.PlaylistAsync(variants[0]), p => p.Segments.Count(s => s.Uri is not null) >= 2,
            "two complete segments of the source");
        var segment = source.Segments.Last(s => s.Uri is not null && s.Parts.Count > 1);
        var files = segment.Parts.Select(p => p.Uri).Append(segment.Uri!).ToList();
        string directory = Directory.CreateTempSubdirectory("stagecast-abr-").FullName;
        try
        {
            // Every rendition's files first, while the playlists still list the segment's parts (a few seconds);
            // ffprobe, slow on a loaded machine, after.
            var downloads = new List<Downloaded>();
            foreach (var variant in variants)
            {
                downloads.Add(await DownloadAsync(broadcast, variant, segment.Msn, files));
            }

            var renditions = new List<Fetched>();
            foreach (var download in downloads)
            {
                renditions.Add(await ProbeAsync(download, files, directory));
            }

            Assert.Equal([(640, 360), (640, 360), (320, 180)], renditions.Select(r => r.Size));
            for (int i = 0; i < files.Count; i++)
            {
                var (start, duration) = (renditions[0].Timings[i][0].Pts, renditions[0].Timings[i].Sum(t => t.Duration));
                Console.WriteLine($"{files[i]}: tfdt {string.Join(" ", renditions.Select(r => r.DecodeTimes[i]))}, starts "
                    + string.Join(" ", renditions.Select(r => $"{r.Timings[i][0].Pts:0.000000}")) + ", lasts " + string.Join(" ", renditions.Select(r => $"{r.Timings[i].Sum(t => t.Duration):0.000000}")));
                foreach (var rendition in renditions[1..])
                {
                    Assert.Equal(renditions[0].DecodeTimes[i], rendition.DecodeTimes[i]);
                    Assert.Equal(start, rendition.Timings[i][0].Pts, Frame);
                    Assert.Equal(duration, rendition.Timings[i].Sum(t => t.Duration), Frame);
                    Assert.Equal(i is 0 || i == files.Count - 1, rendition.Timings[i][0].Keyframe); // the segment and its first part start on a keyframe
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AKilledTranscoderLeavesTheSourcePlayingAndTheLadderComesBack()
    {
        await using var broadcast = await LadderedBroadcast.StartAsync(server, 60);
        var transcoders = server.App.Services.GetRequiredService<RenditionTranscoders>();
        var variants = (await broadcast.MultivariantAsync()).Variants;
        await Eventually.TrueAsync(async () => (await broadcast.PlaylistAsync(variants[^1])).Segments.Count(s => s.Uri is not null) >= 2, "two segments of the 180p");
        int pid = transcoders.ProcessIdOf(broadcast.Id)!.Value;
        long sourceAtKill = LastPart(await broadcast.PlaylistAsync(variants[0]));

        await ExternalProcess.SignalAsync(pid, "KILL");
        var sinceKill = Stopwatch.StartNew();

        await Eventually.TrueAsync(() => transcoders.ProcessIdOf(broadcast.Id) is { } again && again != pid, "another ffmpeg");
        // Every rendition lists parts made after the kill (a second of the source's later than its newest then), and the
        // multivariant playlist lists them all.
        var playlists = await Eventually.MatchAsync(() => Task.WhenAll(variants.Select(broadcast.PlaylistAsync)), p => p.All(r => LastPart(r) > sourceAtKill + 3),
            "every rendition's parts after the kill", TimeSpan.FromSeconds(60), p => string.Join(", ", p.Select(LastPart)));
        Console.WriteLine($"every rendition listed a part a second past the source's at the kill {sinceKill.Elapsed.TotalSeconds:0.0} s after it");
        await broadcast.WaitForVariantsAsync(3, "the three variants in the multivariant playlist");
        Assert.Equal(1, transcoders.RestartsOf(broadcast.Id));

        // The source went on without a gap: every part from before the kill to now, in segments a keyframe (a second) apart.
        var source = playlists[0];
        Assert.DoesNotContain(source.Segments, s => s.Gap || s.Discontinuity);
        var numbers = source.Parts.Select(p => PartNumber(p.Uri)).ToList();
        Assert.Equal(Enumerable.Range((int)numbers[0], numbers.Count).Select(n => (long)n), numbers);
        Assert.True(numbers[0] <= sourceAtKill, $"the source's parts listed start at {numbers[0]}, after {sourceAtKill}");
        Assert.All(source.Segments.Where(s => s.Uri is not null), s => Assert.Equal(1.0, s.Duration!.Value, Frame));
        foreach (var (variant, playlist) in variants.Zip(playlists).Skip(1))
        {
            Console.WriteLine($"{Path.GetFileName(variant.Uri)} after the kill: gaps {string.Join(" ", playlist.Segments.Where(s => s.Gap).Select(s => s.Msn))}, "
                + $"segments {string.Join(" ", playlist.Segments.Select(s => $"{s.Msn}:{s.Duration:0.000}"))}");
        }
    }

    private static long LastPart(ParsedPlaylist playlist) => PartNumber(playlist.Parts.Last().Uri);

    private static long PartNumber(string uri) => HlsNaming.TryParsePart(HlsNaming.SplitRendition(uri).Name, out long number) ? number : throw new FormatException(uri);

    /// <summary>
    /// Downloads the same files (named as the source's) of a rendition once its playlist lists segment
    /// <paramref name="msn"/> complete, and its init segment.
    /// </summary>
    private async Task<Downloaded> DownloadAsync(LadderedBroadcast broadcast, ParsedVariant variant, long msn, List<string> files)
    {
        var playlist = await Eventually.MatchAsync(() => broadcast.PlaylistAsync(variant), p => p.Segments.Any(s => s.Msn == msn && s.Uri is not null),
            $"segment {msn} of {variant.Uri}");
        var segment = playlist.Segments.Single(s => s.Msn == msn);
        string prefix = Path.GetFileName(variant.Uri)[..^"stream.m3u8".Length];
        Assert.Equal(files.SkipLast(1), segment.Parts.Select(p => p.Uri[prefix.Length..]));
        byte[] init = await server.Http.GetByteArrayAsync(broadcast.Url(variant, segment.Map));
        var media = new List<byte[]>();
        foreach (string file in files)
        {
            media.Add(await server.Http.GetByteArrayAsync(broadcast.Url(variant, prefix + file)));
        }

        return new Downloaded(prefix, init, media);
    }

    /// <summary>Each file with the init segment in front, as a player appends them, through ffprobe.</summary>
    private static async Task<Fetched> ProbeAsync(Downloaded download, List<string> files, string directory)
    {
        var timings = new List<IReadOnlyList<PacketTiming>>();
        string path = "";
        for (int i = 0; i < files.Count; i++)
        {
            path = Path.Combine(directory, download.Prefix + files[i] + ".mp4");
            await File.WriteAllBytesAsync(path, [.. download.Init, .. download.Media[i]]);
            timings.Add(await Ffmpeg.ProbeTimingsAsync(path, "v:0"));
        }

        var video = (await Ffmpeg.ProbeAsync(path)).Single(s => s.Width > 0);
        return new Fetched((video.Width, video.Height), timings, [.. download.Media.Select(m => Box.FirstTrackDecodeTime(m))]);
    }

    private sealed record Downloaded(string Prefix, byte[] Init, List<byte[]> Media);

    private sealed record Fetched((int Width, int Height) Size, List<IReadOnlyList<PacketTiming>> Timings, List<ulong> DecodeTimes);

    [GeneratedRegex(@"^avc1\.[0-9a-f]{6},mp4a\.40\.2$")]
    private static partial Regex Codecs();
}
