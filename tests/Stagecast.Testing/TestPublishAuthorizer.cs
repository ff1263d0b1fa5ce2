using System.Security.Cryptography;
using System.Text;
using Stagecast.Streaming;

namespace Stagecast.Testing;

/// <summary>An in-memory key table: stream key -> stream id, compared in constant time.</summary>
public sealed class TestPublishAuthorizer : IPublishAuthorizer
{
    private readonly List<(byte[] Key, string StreamId)> _keys = [];

    public int Attempts { get; private set; }

    /// <summary>How late an unknown key is refused: the server answers so to an address past its budget of refused keys.</summary>
    public TimeSpan UnknownKeyDelay { get; set; }

    public TestPublishAuthorizer Add(string key, string streamId)
    {
        lock (_keys)
        {
            _keys.Add((Encoding.UTF8.GetBytes(key), streamId));
        }

        return this;
    }

    public async ValueTask<PublishAuthorization> AuthorizeAsync(string app, string streamKey, PublisherInfo publisher, CancellationToken cancellationToken)
    {
        byte[] candidate = Encoding.UTF8.GetBytes(streamKey);
        lock (_keys)
        {
            Attempts++;
            foreach (var (key, streamId) in _keys)
            {
                if (CryptographicOperations.FixedTimeEquals(key, candidate))
                {
                    return PublishAuthorization.Allow(streamId);
                }
            }
        }

        if (UnknownKeyDelay > TimeSpan.Zero)
        {
            await Task.Delay(UnknownKeyDelay, cancellationToken).ConfigureAwait(false);
        }

        return PublishAuthorization.Deny("unknown stream key");
    }
}
