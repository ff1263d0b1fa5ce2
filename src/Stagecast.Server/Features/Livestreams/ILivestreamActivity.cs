namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// What the media plane says of a livestream now, which the database may not have caught up with: a broadcast in
/// progress, an active meeting livestream, a session end not written yet. Features above this one provide them
/// (livestream sessions, meeting livestreams); the livestream's view takes the most active answer.
/// </summary>
public interface ILivestreamActivity
{
    /// <summary>The livestream's status now and, when it changed, since when; null when this source has nothing to say.</summary>
    LivestreamActivity? Of(string livestreamId);
}

/// <param name="ChangedAt">When it changed to <paramref name="Status"/>, when the change is not written yet.</param>
public sealed record LivestreamActivity(LivestreamStatus Status, DateTimeOffset? ChangedAt = null)
{
    /// <summary>LIVE over INVOKED over anything else.</summary>
    public int Rank => Status switch
    {
        LivestreamStatus.Live => 2,
        LivestreamStatus.Invoked => 1,
        _ => 0,
    };
}
