using System.Diagnostics.CodeAnalysis;

namespace Stagecast.Media;

internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Malformed(string message) => throw new MediaFormatException(message);

    [DoesNotReturn]
    public static T Malformed<T>(string message) => throw new MediaFormatException(message);
}
