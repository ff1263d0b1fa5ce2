namespace Stagecast.Server.Features.Plugins;

/// <summary>
/// A plugin an app offers in its meetings: a web app (<see cref="BaseUrl"/>) the meeting opens in a frame for everyone
/// once a host starts it. <see cref="Presets"/> names the presets whose participants may start it (their preset must
/// also have <c>plugins.can_start</c>); empty: any preset that has it.
/// </summary>
public sealed record Plugin(
    string Id,
    string AppId,
    string Name,
    string Description,
    string? Picture,
    string BaseUrl,
    IReadOnlyList<string> Presets,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Whether a participant of the preset named <paramref name="presetName"/> may start it, by this plugin's list.</summary>
    public bool StartableBy(string? presetName) => Presets.Count == 0 || (presetName is not null && Presets.Contains(presetName));
}
