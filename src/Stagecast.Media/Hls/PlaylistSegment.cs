namespace Stagecast.Media.Hls;

/// <summary>A media segment as listed in a media playlist; complete once its last part is written.</summary>
public sealed class PlaylistSegment(long sequenceNumber, int mapId, DateTimeOffset programDateTime, bool discontinuity)
{
    private readonly List<PlaylistPart> _parts = [];

    public long SequenceNumber { get; } = sequenceNumber;

    /// <summary>Which initialization segment (EXT-X-MAP) this segment needs.</summary>
    public int MapId { get; } = mapId;

    public DateTimeOffset ProgramDateTime { get; } = programDateTime;

    /// <summary>True when this segment follows a discontinuity (new publisher or new codec configuration).</summary>
    public bool Discontinuity { get; } = discontinuity;

    public IReadOnlyList<PlaylistPart> Parts => _parts;

    public bool IsComplete { get; private set; }

    /// <summary>Segment duration in seconds (EXTINF), the sum of its parts.</summary>
    public double Duration { get; private set; }

    /// <summary>
    /// A segment a rendition does not have (its transcoder was behind or restarting): listed with EXT-X-GAP so that the
    /// rendition keeps the source's sequence numbers; players skip it or take it from another rendition.
    /// </summary>
    public bool IsGap { get; private init; }

    public static PlaylistSegment Gap(long sequenceNumber, int mapId, DateTimeOffset programDateTime, double duration) =>
        new(sequenceNumber, mapId, programDateTime, discontinuity: false) { IsGap = true, IsComplete = true, Duration = duration };

    public void AddPart(PlaylistPart part)
    {
        if (IsComplete)
        {
            throw new InvalidOperationException("segment is complete");
        }

        _parts.Add(part);
        Duration += part.Duration;
    }

    public void Complete() => IsComplete = true;
}
