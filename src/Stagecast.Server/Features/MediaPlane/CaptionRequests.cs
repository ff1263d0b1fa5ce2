using System.Collections.Concurrent;

namespace Stagecast.Server.Features.MediaPlane;

/// <summary>
/// Which independent livestreams let in to publish asked for captions of their own audio (<c>transcription_enabled</c>),
/// as their record said when the key was let in: written by the publish authorizer before the stream starts, read by
/// what makes the captions (the Transcription feature, added later).
/// </summary>
public sealed class CaptionRequests
{
    /// <summary>The livestreams that asked when they were last let in (only those: one that stops asking leaves), with their apps.</summary>
    private readonly ConcurrentDictionary<string, string> _asking = new(StringComparer.Ordinal);

    /// <summary>An independent livestream of app <paramref name="appId"/> was let in to publish (its stream starts next), asking for captions or not.</summary>
    public void Admitted(string livestreamId, string appId, bool transcriptionEnabled)
    {
        if (transcriptionEnabled)
        {
            _asking[livestreamId] = appId;
        }
        else
        {
            _asking.TryRemove(livestreamId, out _);
        }
    }

    /// <summary>Whether the independent livestream publishing as <paramref name="streamId"/> asks for captions.</summary>
    public bool Asks(string streamId) => _asking.ContainsKey(streamId);

    /// <summary>The app of the livestream publishing as <paramref name="streamId"/>, when it asks for captions.</summary>
    public string? AppOf(string streamId) => _asking.GetValueOrDefault(streamId);
}
