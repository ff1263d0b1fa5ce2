using System.Security.Cryptography;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>A stream key publishes to the livestream whose key digest matches, unless it is disabled or deleted.</summary>
public sealed class DatabasePublishAuthorizer(ILivestreamStore store, StreamKeyProtector keys, FailedPublishThrottle throttle) : IPublishAuthorizer
{
    public async ValueTask<PublishAuthorization> AuthorizeAsync(string app, string streamKey, PublisherInfo publisher, CancellationToken cancellationToken)
    {
        if (throttle.IsBlocked(publisher.RemoteAddress))
        {
            return PublishAuthorization.Deny("too many refused attempts from this address; try again in a minute");
        }

        byte[] hash = keys.LookupHash(streamKey);
        var livestream = await store.FindLivestreamByKeyHashAsync(hash, cancellationToken).ConfigureAwait(false);
        if (livestream is null || !CryptographicOperations.FixedTimeEquals(livestream.StreamKeyHash, hash))
        {
            throttle.RecordFailure(publisher.RemoteAddress);
            return PublishAuthorization.Deny("unknown stream key");
        }

        return livestream.Disabled
            ? PublishAuthorization.Deny("the livestream is disabled")
            : PublishAuthorization.Allow(livestream.Id);
    }
}
