using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

/// <summary>Learns of meeting changes that concern live rooms (a meeting set INACTIVE ends its session).</summary>
public interface IMeetingObserver
{
    Task OnMeetingChangedAsync(Meeting meeting);
}

/// <summary>What the server can transcribe: a meeting whose <c>ai_config.transcription</c> asks for more is refused.</summary>
public interface ITranscriptionCheck
{
    /// <summary>Why <paramref name="transcription"/> cannot be done here (the envelope's message), or null.</summary>
    string? Refusal(AiTranscription transcription);
}

/// <summary>Meetings: create, change (PATCH merges, PUT replaces), find.</summary>
public sealed class MeetingService(IMeetingStore store, IEnumerable<IMeetingObserver> observers, IEnumerable<ITranscriptionCheck> checks, TimeProvider time)
{
    public async Task<Meeting> CreateAsync(string appId, MeetingRequest request, CancellationToken cancellationToken)
    {
        Check(request);
        var meeting = request.ApplyTo(New(appId, Guid.NewGuid().ToString(), time.GetUtcNow()));
        await store.CreateAsync(meeting, cancellationToken).ConfigureAwait(false);
        return meeting;
    }

    /// <summary>
    /// A breakout room of <paramref name="parent"/>: a meeting of the same app named <paramref name="title"/>, with the
    /// parent's chat, keep-alive, AI and recording settings, but not its automatic recording or livestream (a room does
    /// not go live on its own).
    /// </summary>
    public async Task<Meeting> CreateChildAsync(Meeting parent, string title, CancellationToken cancellationToken)
    {
        var child = New(parent.AppId, Guid.NewGuid().ToString(), time.GetUtcNow()) with
        {
            Title = title,
            PersistChat = parent.PersistChat,
            SummarizeOnEnd = parent.SummarizeOnEnd,
            TranscribeOnEnd = parent.TranscribeOnEnd,
            SessionKeepAliveTimeInSecs = parent.SessionKeepAliveTimeInSecs,
            AiConfig = parent.AiConfig?.DeepClone().AsObject(),
            RecordingConfig = parent.RecordingConfig?.DeepClone().AsObject(),
            ParentMeetingId = parent.Id,
        };
        await store.CreateAsync(child, cancellationToken).ConfigureAwait(false);
        return child;
    }

    public async Task<Meeting> UpdateAsync(string appId, string meetingId, MeetingRequest request, bool replace, CancellationToken cancellationToken)
    {
        var current = await FindAsync(appId, meetingId, cancellationToken).ConfigureAwait(false);
        Check(request);
        var baseMeeting = replace ? New(appId, current.Id, current.CreatedAt) : current;
        var updated = request.ApplyTo(baseMeeting) with { UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        foreach (var observer in observers)
        {
            await observer.OnMeetingChangedAsync(updated).ConfigureAwait(false);
        }

        // A main meeting made inactive closes its open breakout rooms with it: nobody is left to come back to.
        if (current.Status == MeetingStatus.Active && updated.Status == MeetingStatus.Inactive)
        {
            foreach (var child in await store.ListChildrenAsync(current.Id, cancellationToken).ConfigureAwait(false))
            {
                await UpdateAsync(appId, child.Id, new MeetingRequest { Status = "INACTIVE" }, replace: false, cancellationToken).ConfigureAwait(false);
            }
        }

        return updated;
    }

    public async Task<Meeting> FindAsync(string appId, string meetingId, CancellationToken cancellationToken) =>
        await store.FindAsync(appId, meetingId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(meetingId);

    public static ApiException NotFound(string meetingId) => ApiException.NotFound($"No meeting found with id {meetingId}");

    /// <summary>Refuses an <c>ai_config</c> asking for what the server cannot transcribe (one it does not change is not checked again).</summary>
    private void Check(MeetingRequest request)
    {
        if (request.AiConfig is { } aiConfig && checks.Select(c => c.Refusal(AiTranscription.Of(aiConfig))).FirstOrDefault(r => r is not null) is { } refusal)
        {
            throw ApiException.BadRequest(refusal);
        }
    }

    private static Meeting New(string appId, string id, DateTimeOffset createdAt) =>
        new(id, appId, null, false, false, false, false, false, MeetingRequest.MinKeepAlive, MeetingStatus.Active, null, null, createdAt, createdAt);
}
