namespace Stagecast.Server.Features.Livestreams;

public sealed record LivestreamFilter(
    IReadOnlyList<LivestreamStatus>? Statuses,
    bool ExcludeMeetings,
    DateTimeOffset? CreatedFrom,
    DateTimeOffset? CreatedTo,
    bool Ascending);
