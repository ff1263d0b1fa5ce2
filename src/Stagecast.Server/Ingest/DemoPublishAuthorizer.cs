using System.Security.Cryptography;
using System.Text;
using Stagecast.Streaming;

namespace Stagecast.Server.Ingest;

/// <summary>
/// Until livestreams live in the database: one stream, id "demo", whose key is generated at start and printed.
/// Keys are compared in constant time.
/// </summary>
public sealed partial class DemoPublishAuthorizer : IPublishAuthorizer
{
    public const string StreamId = "demo";
    private readonly byte[] _key;

    public DemoPublishAuthorizer(ILogger<DemoPublishAuthorizer> logger)
    {
        Key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _key = Encoding.UTF8.GetBytes(Key);
        Log.DemoKey(logger, StreamId, Key);
    }

    /// <summary>The generated stream key.</summary>
    public string Key { get; }

    public ValueTask<PublishAuthorization> AuthorizeAsync(string app, string streamKey, PublisherInfo publisher, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(streamKey), _key)
            ? PublishAuthorization.Allow(StreamId)
            : PublishAuthorization.Deny("unknown stream key"));

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Demo stream '{StreamId}': publish with stream key {Key} (printed once; it changes at every start)")]
        public static partial void DemoKey(ILogger logger, string streamId, string key);
    }
}
