using Stagecast.Testing;

namespace Stagecast.Server.Tests.Transcoding;

/// <summary>
/// A livestream created over REST with the ladder <c>source, 360p, 180p</c>, broadcast by ffmpeg over RTMP from a
/// 640x360 picture at about 1.2 Mbit/s (a keyframe a second, 64 kbit/s AAC): the source, a 640x360 encode of its own
/// height at 0.7 Mbit/s and a 320x180 one at 0.25 Mbit/s, three rates a throttled player can choose between.
/// </summary>
internal sealed class LadderedBroadcast : IAsyncDisposable
{
    private readonly ServerFixture _server;
    private readonly ExternalProcess _publisher;

    private LadderedBroadcast(ServerFixture server, CreatedLivestream livestream, ExternalProcess publisher)
    {
        _server = server;
        Livestream = livestream;
        _publisher = publisher;
    }

    public CreatedLivestream Livestream { get; }

    public string Id => Livestream.Id;

    /// <summary>Starts the broadcast (<paramref name="seconds"/> long) and waits until the multivariant playlist lists its three variants.</summary>
    public static async Task<LadderedBroadcast> StartAsync(ServerFixture server, int seconds)
    {
        var livestream = await (await server.NewTenantAsync()).CreateLivestreamAsync("abr", ["source", "360p", "180p"]);
        var publisher = Ffmpeg.Publish(livestream.PublishUrl, [.. Ffmpeg.AudioVideo(seconds), "-b:v", "1200k", "-maxrate", "1200k", "-bufsize", "600k"]);
        var broadcast = new LadderedBroadcast(server, livestream, publisher);
        await broadcast.WaitForVariantsAsync(3, "the source and its two encodes in the multivariant playlist");
        return broadcast;
    }

    public async Task<ParsedMultivariantPlaylist> MultivariantAsync() =>
        ParsedMultivariantPlaylist.Parse(await _server.Http.GetStringAsync(Livestream.PlaybackUrl));

    /// <summary>Waits until the multivariant playlist lists <paramref name="count"/> variants.</summary>
    public Task<ParsedMultivariantPlaylist> WaitForVariantsAsync(int count, string what) =>
        Eventually.MatchAsync(MultivariantAsync, p => p.Variants.Count == count, what, TimeSpan.FromSeconds(60),
            p => p is null ? "nothing" : string.Join(" | ", p.Variants.Select(v => v.Uri)));

    /// <summary>A URL of the multivariant playlist's folder (a variant's playlist, or a file beside it).</summary>
    public string Url(ParsedVariant variant, string? file = null)
    {
        var playlist = new Uri(new Uri(Livestream.PlaybackUrl), variant.Uri);
        return file is null ? playlist.ToString() : new Uri(playlist, file).ToString();
    }

    public async Task<ParsedPlaylist> PlaylistAsync(ParsedVariant variant) =>
        ParsedPlaylist.Parse(await _server.Http.GetStringAsync(Url(variant)));

    public ValueTask DisposeAsync() => _publisher.DisposeAsync();
}
