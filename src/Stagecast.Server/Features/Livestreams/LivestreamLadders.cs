using System.Data.Common;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// The ladder of a live stream, whose id is its livestream's (independent or a meeting's), and its account: one read
/// of the livestream and its app. A stream that is no livestream, or a database that does not answer, gets the source alone: the
/// broadcast goes on without its encodes rather than not at all.
/// </summary>
public sealed partial class LivestreamLadders(ILivestreamStore store, ILogger<LivestreamLadders> logger) : IRenditionLadders
{
    public async ValueTask<StreamLadder> LadderAsync(string streamId, CancellationToken cancellationToken)
    {
        try
        {
            return await store.FindLadderAsync(streamId, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            Log.ReadFailed(logger, ex, streamId);
            return StreamLadder.SourceOnly;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Reading the renditions of livestream {LivestreamId} failed; it gets the source alone")]
        public static partial void ReadFailed(ILogger logger, Exception exception, string livestreamId);
    }
}
