using System.Globalization;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>The width of a thumbnail: what <c>?width=</c> may ask, and what is made of it for a given source.</summary>
public static class ThumbnailWidth
{
    public const int Min = 16;

    public const int Max = 1920;

    /// <summary>Without <c>?width=</c>: a card on a dashboard or a player's poster needs no more.</summary>
    public const int Default = 640;

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
    /// The picture's width: the asked one, but never wider than the source (a picture is never scaled up), whose width
    /// is taken down to an even number as a 4:2:0 picture's is. The height follows, keeping the source's aspect.
    /// </summary>
    public static int For(int asked, int sourceWidth) => Math.Max(2, Math.Min(asked, sourceWidth & ~1));
}
