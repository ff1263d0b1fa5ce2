using System.Collections.Immutable;
using System.Globalization;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>
/// The width of a thumbnail: what <c>?width=</c> may ask, and what is made of it for a given source: one of a few
/// <see cref="Sizes"/>, so that asking for every width costs no more decodes than asking for these (each width is an
/// ffmpeg of its own; issue 51 saw one client ask a new width each time and hold 90 % of a core).
/// </summary>
public static class ThumbnailWidth
{
    public const int Min = 16;

    public const int Max = 1920;

    /// <summary>Without <c>?width=</c>: a card on a dashboard or a player's poster needs no more.</summary>
    public const int Default = 640;

    /// <summary>The widths pictures are made at, narrowest first: an asked width is taken up to the next of these.</summary>
    public static readonly ImmutableArray<int> Sizes = [160, 320, 480, 640, 960, 1280, 1920];

    /// <summary>The error envelope's message for a width that is not one of these.</summary>
    public const string Invalid = "BAD_REQUEST: \"width\" must be an even number of pixels from 16 to 1920";

    /// <summary>The asked width (<see cref="Default"/> when <paramref name="text"/> is null); false when it is not an even number from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public static bool TryParse(string? text, out int width)
    {
        if (text is null)
        {
            width = Default;
            return true;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out width) && width is >= Min and <= Max && width % 2 == 0;
    }

    /// <summary>
    /// The picture's width: the narrowest of <see cref="Sizes"/> at least as wide as asked, but never wider than the
    /// source (a picture is never scaled up), whose width is taken down to an even number as a 4:2:0 picture's is. The
    /// height follows, keeping the source's aspect.
    /// </summary>
    public static int For(int asked, int sourceWidth) => Math.Max(2, Math.Min(Snap(asked), sourceWidth & ~1));

    private static int Snap(int asked)
    {
        foreach (int size in Sizes)
        {
            if (size >= asked)
            {
                return size;
            }
        }

        return Sizes[^1];
    }
}
