using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A meeting livestream as the channel shows it: the server status and the client state of RealtimeKit's
/// RTKLivestream (<c>WAITING_ON_MANUAL_INGESTION</c>, <c>STARTING</c>, <c>LIVESTREAMING</c>, <c>IDLE</c>). Ingest
/// credentials go only to peers who may livestream, and only for manual ingest.
/// </summary>
public sealed record LivestreamChannelView(string Id, string Status, string State, string PlaybackUrl, bool ManualIngest, IngestionCredentials? IngestionCredentials)
{
    public static LivestreamChannelView From(LivestreamView view, bool withCredentials)
    {
        bool manual = view.Record.ManualIngest;
        string state = view.Status switch
        {
            LivestreamStatus.Live => "LIVESTREAMING",
            LivestreamStatus.Invoked => manual ? "WAITING_ON_MANUAL_INGESTION" : "STARTING",
            _ => "IDLE",
        };
        return new LivestreamChannelView(view.Record.Id, LivestreamDto.StatusText(view.Status), state, view.PlaybackUrl, manual,
            withCredentials && manual ? new IngestionCredentials(view.IngestServer, view.StreamKey) : null);
    }
}

public sealed record IngestionCredentials(string IngestionServer, string StreamKey);
