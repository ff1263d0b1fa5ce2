namespace Stagecast.Streaming.Renditions;

/// <summary>
/// One rung of a livestream's ladder: the source as published, or an H.264 encode of it at a height (the width keeps the
/// source's aspect) and a nominal video bitrate. Names are what the API and the playlists use ("source", "360p").
/// </summary>
public sealed record Rendition(string Name, int Height, int VideoBitrate)
{
    public static readonly Rendition Source = new("source", 0, 0);

    public bool IsSource => Height == 0;

    /// <summary>The encode's width for a source of the given size: the source's aspect, rounded to an even number.</summary>
    public int WidthFor(int sourceWidth, int sourceHeight) =>
        sourceHeight <= 0 ? 0 : Math.Max(2, (int)Math.Round(sourceWidth * (double)Height / sourceHeight / 2) * 2);

    /// <summary>Whether this rendition is made for a source of that height: never upscaled, the source always.</summary>
    public bool AppliesTo(int sourceHeight) => IsSource || Height <= sourceHeight;
}
