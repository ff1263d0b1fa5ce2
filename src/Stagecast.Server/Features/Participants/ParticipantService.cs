using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Participants;

/// <summary>
/// Learns that a participant's open connections must close: it was removed, its token was reissued, or its preset
/// changed (what it may do is read when it joins again).
/// </summary>
public interface IParticipantObserver
{
    Task OnParticipantRevokedAsync(Participant participant, string reason);
}

/// <summary>
/// Participants of meetings and their tokens. Adding a participant whose <c>custom_participant_id</c> the meeting
/// already has updates that participant instead of making a second one (apps add their user on every join).
/// </summary>
public sealed class ParticipantService(
    IParticipantStore store,
    IPresetStore presets,
    IAppStore apps,
    MeetingService meetings,
    ParticipantTokens tokens,
    IOptions<ParticipantOptions> options,
    IEnumerable<IParticipantObserver> observers,
    TimeProvider time)
{
    /// <summary>How long a person moved into another meeting of its group may take to get there and enter without waiting (its client starts again there in a second or two).</summary>
    public static readonly TimeSpan MovedEntryTime = TimeSpan.FromSeconds(30);

    public async Task<(Participant Participant, string Token)> AddAsync(App app, string meetingId, AddParticipantRequest request, CancellationToken cancellationToken)
    {
        await meetings.FindAsync(app.Id, meetingId, cancellationToken).ConfigureAwait(false);
        var preset = await FindPresetAsync(app, request.PresetName!, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (await store.FindByCustomIdAsync(meetingId, request.CustomParticipantId!, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            var updated = existing with { Name = request.Name ?? existing.Name, Picture = request.Picture ?? existing.Picture, PresetId = preset.Id, PresetName = preset.Name, UpdatedAt = now };
            await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
            await RevokeIfPresetChangedAsync(existing, updated).ConfigureAwait(false);
            return (updated, Issue(app, updated));
        }

        var participant = new Participant(
            Guid.NewGuid().ToString(), meetingId, app.Id, request.CustomParticipantId!, preset.Id, preset.Name, request.Name, request.Picture, NewTokenId(), now, now);
        await store.CreateAsync(participant, cancellationToken).ConfigureAwait(false);
        return (participant, Issue(app, participant));
    }

    /// <summary>
    /// The participant a person moved into another meeting of its group (a breakout room, or back) is there: the one
    /// with its custom participant id (so a person moved back is the participant it was), else one made with its name,
    /// picture and preset; <paramref name="presetId"/>, when given, is its preset there. With a token for it that enters
    /// without waiting for <see cref="MovedEntryTime"/> (it was let in where it came from). Nothing is revoked: the
    /// person has no connection in that meeting yet.
    /// </summary>
    public async Task<(Participant Participant, string Token)> AdmitToConnectedMeetingAsync(
        Meeting destination, Participant person, string? presetId, CancellationToken cancellationToken)
    {
        string accountId = await apps.FindAccountIdAsync(person.AppId, cancellationToken).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No app found with id {person.AppId}");
        var preset = presetId is null ? null : await presets.FindAsync(person.AppId, presetId, cancellationToken).ConfigureAwait(false)
            ?? throw ApiException.BadRequest($"\"preset_id\": no preset with id {presetId} in this app");
        var now = time.GetUtcNow();
        if (await store.FindByCustomIdAsync(destination.Id, person.CustomParticipantId, cancellationToken).ConfigureAwait(false) is { } there)
        {
            if (preset is not null && preset.Id != there.PresetId)
            {
                there = there with { PresetId = preset.Id, PresetName = preset.Name, UpdatedAt = now };
                await store.UpdateAsync(there, cancellationToken).ConfigureAwait(false);
            }

            return (there, Issue(accountId, there, now + MovedEntryTime));
        }

        var made = person with
        {
            Id = Guid.NewGuid().ToString(),
            MeetingId = destination.Id,
            PresetId = preset?.Id ?? person.PresetId,
            PresetName = preset?.Name ?? person.PresetName,
            TokenId = NewTokenId(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        await store.CreateAsync(made, cancellationToken).ConfigureAwait(false);
        return (made, Issue(accountId, made, now + MovedEntryTime));
    }

    /// <summary>Changes name, picture or preset; answers with a token (earlier tokens keep working).</summary>
    public async Task<(Participant Participant, string Token)> UpdateAsync(
        App app, string meetingId, string participantId, UpdateParticipantRequest request, CancellationToken cancellationToken)
    {
        var participant = await FindAsync(app, meetingId, participantId, cancellationToken).ConfigureAwait(false);
        var preset = request.PresetName is { } presetName ? await FindPresetAsync(app, presetName, cancellationToken).ConfigureAwait(false) : null;
        var updated = participant with
        {
            Name = request.Name ?? participant.Name,
            Picture = request.Picture ?? participant.Picture,
            PresetId = preset?.Id ?? participant.PresetId,
            PresetName = preset?.Name ?? participant.PresetName,
            UpdatedAt = time.GetUtcNow(),
        };
        await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        await RevokeIfPresetChangedAsync(participant, updated).ConfigureAwait(false);
        return (updated, Issue(app, updated));
    }

    /// <summary>A new token; every earlier token of the participant stops working, and its open connections close.</summary>
    public async Task<string> RefreshTokenAsync(App app, string meetingId, string participantId, CancellationToken cancellationToken)
    {
        var participant = await FindAsync(app, meetingId, participantId, cancellationToken).ConfigureAwait(false);
        var refreshed = participant with { TokenId = NewTokenId(), UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(refreshed, cancellationToken).ConfigureAwait(false);
        await RevokeAsync(refreshed, "the participant's token was reissued").ConfigureAwait(false);
        return Issue(app, refreshed);
    }

    /// <summary>Deletes a participant: its tokens stop working and its open connections are closed.</summary>
    public async Task<Participant> DeleteAsync(App app, string meetingId, string participantId, CancellationToken cancellationToken)
    {
        var participant = await FindAsync(app, meetingId, participantId, cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(participant.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        await RevokeAsync(participant, "the participant was removed from the meeting").ConfigureAwait(false);
        return participant;
    }

    public async Task<Participant> FindAsync(App app, string meetingId, string participantId, CancellationToken cancellationToken)
    {
        await meetings.FindAsync(app.Id, meetingId, cancellationToken).ConfigureAwait(false);
        return await store.FindAsync(meetingId, participantId, cancellationToken).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No participant found with id {participantId} in meeting {meetingId}");
    }

    public async Task<Page<Participant>> ListAsync(App app, string meetingId, Paging paging, CancellationToken cancellationToken)
    {
        await meetings.FindAsync(app.Id, meetingId, cancellationToken).ConfigureAwait(false);
        return await store.ListAsync(meetingId, paging, cancellationToken).ConfigureAwait(false);
    }

    private Task RevokeIfPresetChangedAsync(Participant before, Participant after) =>
        before.PresetId == after.PresetId ? Task.CompletedTask : RevokeAsync(after, $"the participant's preset changed to {after.PresetName}");

    private async Task RevokeAsync(Participant participant, string reason)
    {
        foreach (var observer in observers)
        {
            await observer.OnParticipantRevokedAsync(participant, reason).ConfigureAwait(false);
        }
    }

    private async Task<Preset> FindPresetAsync(App app, string name, CancellationToken cancellationToken) =>
        await presets.FindByNameAsync(app.Id, name, cancellationToken).ConfigureAwait(false)
        ?? throw ApiException.BadRequest($"\"preset_name\": no preset named {name} in this app");

    private string Issue(App app, Participant participant) => Issue(app.AccountId, participant);

    private string Issue(string accountId, Participant participant, DateTimeOffset? movedUntil = null) => tokens.Issue(new ParticipantTokenClaims(
        participant.Id, participant.MeetingId, participant.AppId, accountId, participant.TokenId, time.GetUtcNow() + options.Value.TokenLifetime, movedUntil));

    private static string NewTokenId() => Guid.NewGuid().ToString("N");
}

public sealed record AddParticipantRequest
{
    [Required]
    [StringLength(256, MinimumLength = 1)]
    public string? CustomParticipantId { get; init; }

    [Required]
    [StringLength(256, MinimumLength = 1)]
    public string? PresetName { get; init; }

    [StringLength(256)]
    [ShownText]
    public string? Name { get; init; }

    [StringLength(2048)]
    public string? Picture { get; init; }
}

[OptionalBody]
public sealed record UpdateParticipantRequest
{
    [StringLength(256, MinimumLength = 1)]
    public string? PresetName { get; init; }

    [StringLength(256)]
    [ShownText]
    public string? Name { get; init; }

    [StringLength(2048)]
    public string? Picture { get; init; }
}
