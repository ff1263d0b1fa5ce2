using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>A meeting's active livestream (L6): the livestream, and the program feeding it while one does (null with manual ingest, or before it runs).</summary>
public sealed record MeetingLivestreamDto : LivestreamDto
{
    public MeetingLivestreamDto(LivestreamDto livestream, ProgramStatusDto? program)
        : base(livestream)
    {
        Program = program;
    }

    public ProgramStatusDto? Program { get; init; }
}
