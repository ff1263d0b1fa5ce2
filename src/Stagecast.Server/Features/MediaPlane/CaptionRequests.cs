using System.Collections.Concurrent;

namespace Stagecast.Server.Features.MediaPlane;

/// <summary>
/// Which independent livestreams let in to publish asked for captions of their own audio (<c>transcription_enabled</c>),
/// as their record said when the key was let in: written by the publish authorizer before the stream starts, read by
/// what makes the captions (the Transcription feature, added later).
/// </summary>
public sealed class CaptionRequests
{
    /// <summary>The livestreams that asked when they were last let in (only those: one that stops asking leaves).</summary>
    private readonly ConcurrentDictionary<string, byte> _asking = new(StringComparer.Ordinal);

    /// <summary>An independent livestream was let in to publish (its stream starts next), asking for captions or not.</summary>
    public void Admitted(string livestreamId, bool transcriptionEnabled)
    {
        if (transcriptionEnabled)
        {
            _asking[livestreamId] = 0;
        }
        else
        {
            _asking.TryRemove(livestreamId, out _);
        }
    }

    /// <summary>Whether the independent livestream publishing as <paramref name="streamId"/> asks for captions.</summary>
    public bool Asks(string streamId) => _asking.ContainsKey(streamId);
}
