using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Participants;

public interface IParticipantStore
{
    Task CreateAsync(Participant participant, CancellationToken cancellationToken);

    /// <summary>A participant (not deleted) of a meeting.</summary>
    Task<Participant?> FindAsync(string meetingId, string participantId, CancellationToken cancellationToken);

    /// <summary>A participant (not deleted) by id alone: token validation.</summary>
    Task<Participant?> FindAsync(string participantId, CancellationToken cancellationToken);

    Task<Participant?> FindByCustomIdAsync(string meetingId, string customParticipantId, CancellationToken cancellationToken);

    /// <summary>Participants of a meeting, oldest first.</summary>
    Task<Page<Participant>> ListAsync(string meetingId, Paging paging, CancellationToken cancellationToken);

    /// <summary>Writes name, picture, preset and token id.</summary>
    Task UpdateAsync(Participant participant, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string participantId, DateTimeOffset deletedAt, CancellationToken cancellationToken);
}
