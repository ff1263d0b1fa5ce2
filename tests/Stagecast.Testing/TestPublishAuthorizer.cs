using System.Security.Cryptography;
using System.Text;
using Stagecast.Streaming;

namespace Stagecast.Testing;

/// <summary>An in-memory key table: stream key -> stream id, compared in constant time.</summary>
public sealed class TestPublishAuthorizer : IPublishAuthorizer
{
    private readonly List<(byte[] Key, string StreamId)> _keys = [];

    public int Attempts { get; private set; }

    public TestPublishAuthorizer Add(string key, string streamId)
    {
        lock (_keys)
        {
            _keys.Add((Encoding.UTF8.GetBytes(key), streamId));
        }

        return this;
    }

    public ValueTask<PublishAuthorization> AuthorizeAsync(string app, string streamKey, PublisherInfo publisher, CancellationToken cancellationToken)
    {
        byte[] candidate = Encoding.UTF8.GetBytes(streamKey);
        lock (_keys)
        {
            Attempts++;
            foreach (var (key, streamId) in _keys)
            {
                if (CryptographicOperations.FixedTimeEquals(key, candidate))
                {
                    return ValueTask.FromResult(PublishAuthorization.Allow(streamId));
                }
            }
        }

        return ValueTask.FromResult(PublishAuthorization.Deny("unknown stream key"));
    }
}
