using Stagecast.Streaming.Renditions;

namespace Stagecast.Transcoding;

/// <summary>A rendition as ffmpeg makes it from one source: its picture's size, its bitrate.</summary>
public readonly record struct Encode(Rendition Rendition, int Width, int Height)
{
    public static Encode Of(Rendition rendition, int sourceWidth, int sourceHeight) =>
        new(rendition, rendition.WidthFor(sourceWidth, sourceHeight), rendition.Height);
}
