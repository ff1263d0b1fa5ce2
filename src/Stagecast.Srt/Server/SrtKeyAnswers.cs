using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Stagecast.Streaming;

namespace Stagecast.Srt.Server;

/// <summary>
/// What the last check of each stream key answered, for the handshake callback, which may not wait for a check: it
/// runs on libsrt's one receiving thread, and a check may take a database round trip or, for an address past its
/// budget of refused keys, a second on purpose. A key refused within <see cref="Memory"/> is refused again in the
/// handshake without a new check; a key allowed lately names its stream, so a second publisher of it is refused there
/// too. Keys are held as SHA-256 digests, at most <see cref="MaxKeys"/> of them.
/// </summary>
internal sealed class SrtKeyAnswers(TimeProvider time)
{
    /// <summary>
    /// Long enough for an encoder that retries with the same wrong key (OBS every few seconds) to be refused in the
    /// handshake; short enough that a key refused for a state (a disabled livestream, a meeting not started) works again soon.
    /// </summary>
    public static readonly TimeSpan Memory = TimeSpan.FromSeconds(10);

    public const int MaxKeys = 10_000;

    private readonly ConcurrentDictionary<string, (PublishAuthorization Answer, long At)> _answers = new(StringComparer.Ordinal);

    /// <summary>The answer of the key's last check within <see cref="Memory"/>, or null.</summary>
    public PublishAuthorization? Recall(string key) =>
        _answers.TryGetValue(Digest(key), out var known) && time.GetElapsedTime(known.At) < Memory ? known.Answer : null;

    public void Remember(string key, PublishAuthorization answer)
    {
        string digest = Digest(key);
        if (_answers.Count < MaxKeys || _answers.ContainsKey(digest))
        {
            _answers[digest] = (answer, time.GetTimestamp());
        }
    }

    /// <summary>Forgets answers older than <see cref="Memory"/>.</summary>
    public void Sweep(long now)
    {
        foreach (var (digest, known) in _answers)
        {
            if (time.GetElapsedTime(known.At, now) >= Memory)
            {
                _answers.TryRemove(digest, out _);
            }
        }
    }

    private static string Digest(string key) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
