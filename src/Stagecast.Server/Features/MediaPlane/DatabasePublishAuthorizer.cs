using System.Security.Cryptography;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MediaPlane;

/// <summary>
/// A stream key publishes to the livestream whose key digest matches, unless it is disabled or deleted; a meeting
/// livestream's key only while that livestream is active (started and not stopped); a livestream that requires TLS, only
/// over TLS (RTMPS, WHIP over HTTPS). An independent livestream let in tells its captions whether it asks for them
/// (<see cref="CaptionRequests"/>, before its stream starts). A valid key always gets in;
/// an address that keeps offering unknown keys has its refusals slowed down (<see cref="FailedAttemptThrottle"/>).
/// In a cluster, a key live on another node is refused while that node's lease lives.
/// </summary>
public sealed class DatabasePublishAuthorizer(
    ILivestreamStore store,
    StreamKeyProtector keys,
    [FromKeyedServices(FailedAttemptThrottle.StreamKeys)] FailedAttemptThrottle throttle,
    MeetingLivestreamRegistry meetingLivestreams,
    IStreamOwnership ownership,
    CaptionRequests captions,
    TimeProvider time) : IPublishAuthorizer
{
    public async ValueTask<PublishAuthorization> AuthorizeAsync(string app, string streamKey, PublisherInfo publisher, CancellationToken cancellationToken)
    {
        byte[] hash = keys.LookupHash(streamKey);
        var livestream = await store.FindLivestreamByKeyHashAsync(hash, cancellationToken).ConfigureAwait(false);
        if (livestream is null || !CryptographicOperations.FixedTimeEquals(livestream.StreamKeyHash, hash))
        {
            if (throttle.RecordFailure(publisher.RemoteAddress) is not null)
            {
                await Task.Delay(FailedAttemptThrottle.Tarpit, time, cancellationToken).ConfigureAwait(false);
                return PublishAuthorization.Deny("unknown stream key (too many refused keys from this address: answers are slowed down)");
            }

            return PublishAuthorization.Deny("unknown stream key");
        }

        if (livestream.Disabled)
        {
            return PublishAuthorization.Deny("the livestream is disabled");
        }

        if (livestream.MeetingId is not null && !meetingLivestreams.IsActive(livestream.Id))
        {
            return PublishAuthorization.Deny("the meeting livestream is not started (or was stopped); start it again to publish");
        }

        if (livestream.RequireTls && !publisher.KeyOverTls)
        {
            return PublishAuthorization.Deny($"the livestream requires TLS and the key came in clear over {publisher.Protocol}: publish over RTMPS or WHIP over HTTPS");
        }

        // In a cluster the stream belongs to one node at a time: the first to take its lease.
        var lease = await ownership.AcquireAsync(livestream.Id, cancellationToken).ConfigureAwait(false);
        if (!lease.Granted)
        {
            return PublishAuthorization.Deny($"the livestream is live on node {lease.Owner}");
        }

        if (livestream.MeetingId is null)
        {
            captions.Admitted(livestream.Id, livestream.AppId, livestream.TranscriptionEnabled);
        }

        return PublishAuthorization.Allow(livestream.Id);
    }
}
