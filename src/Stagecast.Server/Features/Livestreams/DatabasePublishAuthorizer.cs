using System.Security.Cryptography;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// A stream key publishes to the livestream whose key digest matches, unless it is disabled or deleted; a meeting
/// livestream's key only while that livestream is active (started and not stopped).
/// </summary>
public sealed class DatabasePublishAuthorizer(
    ILivestreamStore store, StreamKeyProtector keys, FailedPublishThrottle throttle, MeetingLivestreamRegistry meetingLivestreams) : IPublishAuthorizer
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

        if (livestream.Disabled)
        {
            return PublishAuthorization.Deny("the livestream is disabled");
        }

        return livestream.MeetingId is not null && !meetingLivestreams.IsActive(livestream.Id)
            ? PublishAuthorization.Deny("the meeting livestream is not started (or was stopped); start it again to publish")
            : PublishAuthorization.Allow(livestream.Id);
    }
}
