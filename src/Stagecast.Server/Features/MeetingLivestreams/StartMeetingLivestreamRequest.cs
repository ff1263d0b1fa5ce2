using System.ComponentModel.DataAnnotations;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>L9 (and <c>livestream_start</c> on the channel): every field optional.</summary>
[OptionalBody]
public sealed record StartMeetingLivestreamRequest : IValidatableObject
{
    [StringLength(256)]
    [RegularExpression(LivestreamsApi.NamePattern)]
    public string? Name { get; init; }

    /// <summary>True: the host pushes RTMP to the returned ingest. False: the meeting's composite program feeds it.</summary>
    public bool? ManualIngest { get; init; }

    public VideoConfigRequest? VideoConfig { get; init; }

    /// <summary>The ladder of the program (or of what the host pushes), as on any livestream; without it, the app's default.</summary>
    public IReadOnlyList<string?>? Renditions { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => LadderSetting.Check(Renditions, "renditions");

    /// <summary>
    /// The start as a participant with <paramref name="host"/>'s preset asks for it: a start that names no ladder gets
    /// the preset's <c>livestream_viewer_qualities</c>, if it has them (docs/decisions.md, the stage's livestream).
    /// </summary>
    public StartMeetingLivestreamRequest By(PresetPermissions host) =>
        Renditions is null && host.LivestreamViewerQualities is { } ladder ? this with { Renditions = RenditionLadder.Names(ladder) } : this;
}

public sealed record VideoConfigRequest
{
    [Range(16, 3840)]
    public int? Width { get; init; }

    [Range(16, 2160)]
    public int? Height { get; init; }
}
