using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A meeting livestream as the channel shows it: the server status and the client state of RealtimeKit's
/// RTKLivestream (<c>WAITING_ON_MANUAL_INGESTION</c>, <c>STARTING</c>, <c>LIVESTREAMING</c>, <c>IDLE</c>: its
/// <see cref="LivestreamStage"/>). Ingest credentials go only to peers who may livestream, and only for manual ingest.
/// </summary>
public sealed record LivestreamChannelView(string Id, string Status, string State, string PlaybackUrl, bool ManualIngest, IngestionCredentials? IngestionCredentials)
{
    public static LivestreamChannelView From(LivestreamView view, bool withCredentials)
    {
        bool manual = view.Record.ManualIngest;
        string state = LivestreamStages.Of(view) switch
        {
            LivestreamStage.Livestreaming => "LIVESTREAMING",
            LivestreamStage.WaitingOnManualIngestion => "WAITING_ON_MANUAL_INGESTION",
            LivestreamStage.Starting => "STARTING",
            _ => "IDLE",
        };
        return new LivestreamChannelView(view.Record.Id, LivestreamDto.StatusText(view.Status), state, view.PlaybackUrl, manual,
            withCredentials && manual ? new IngestionCredentials(view.IngestServer, view.StreamKey) : null);
    }
}

public sealed record IngestionCredentials(string IngestionServer, string StreamKey);
