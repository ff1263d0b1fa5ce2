using System.Data.Common;
using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Participants;

public sealed class SqlParticipantStore(SqlDatabase db) : IParticipantStore
{
    private const string Select =
        "SELECT p.id, p.meeting_id, p.app_id, p.custom_participant_id, p.preset_id, pr.name AS preset_name, p.name, p.picture, p.token_id, p.created_at, p.updated_at";

    private const string From = "participants p LEFT JOIN presets pr ON pr.id = p.preset_id";

    public Task CreateAsync(Participant participant, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO participants (id, meeting_id, app_id, custom_participant_id, preset_id, name, picture, token_id, created_at, updated_at) " +
            "VALUES (@Id, @MeetingId, @AppId, @CustomParticipantId, @PresetId, @Name, @Picture, @TokenId, @CreatedAt, @UpdatedAt)",
            new
            {
                participant.Id,
                participant.MeetingId,
                participant.AppId,
                participant.CustomParticipantId,
                participant.PresetId,
                participant.Name,
                participant.Picture,
                participant.TokenId,
                CreatedAt = Ms(participant.CreatedAt),
                UpdatedAt = Ms(participant.UpdatedAt),
            }), cancellationToken);

    public Task<Participant?> FindAsync(string meetingId, string participantId, CancellationToken cancellationToken) =>
        QueryOneAsync(c => c.QuerySingleOrDefaultAsync<ParticipantRow>(
            $"{Select} FROM {From} WHERE p.id = @participantId AND p.meeting_id = @meetingId AND p.deleted_at IS NULL", new { meetingId, participantId }), cancellationToken);

    public Task<Participant?> FindAsync(string participantId, CancellationToken cancellationToken) =>
        QueryOneAsync(c => c.QuerySingleOrDefaultAsync<ParticipantRow>(
            $"{Select} FROM {From} WHERE p.id = @participantId AND p.deleted_at IS NULL", new { participantId }), cancellationToken);

    public Task<Participant?> FindByCustomIdAsync(string meetingId, string customParticipantId, CancellationToken cancellationToken) =>
        QueryOneAsync(c => c.QuerySingleOrDefaultAsync<ParticipantRow>(
            $"{Select} FROM {From} WHERE p.meeting_id = @meetingId AND p.custom_participant_id = @customParticipantId AND p.deleted_at IS NULL ORDER BY p.created_at LIMIT 1",
            new { meetingId, customParticipantId }), cancellationToken);

    public Task<Page<Participant>> ListAsync(string meetingId, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { meetingId, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync(Select, From, new SqlWhere("p.meeting_id = @meetingId AND p.deleted_at IS NULL"), "p.created_at, p.rowid",
            (c, sql) => c.QueryAsync<ParticipantRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public Task UpdateAsync(Participant participant, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE participants SET name = @Name, picture = @Picture, preset_id = @PresetId, token_id = @TokenId, updated_at = @UpdatedAt WHERE id = @Id",
            new { participant.Id, participant.Name, participant.Picture, participant.PresetId, participant.TokenId, UpdatedAt = Ms(participant.UpdatedAt) }),
            cancellationToken);

    public Task<bool> DeleteAsync(string participantId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE participants SET deleted_at = @at, updated_at = @at WHERE id = @participantId AND deleted_at IS NULL",
            new { participantId, at = Ms(deletedAt) }).ConfigureAwait(false) == 1, cancellationToken);

    private Task<Participant?> QueryOneAsync(Func<DbConnection, Task<ParticipantRow?>> query, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await query(c).ConfigureAwait(false))?.ToModel(), cancellationToken);

    internal sealed record ParticipantRow(
        string Id, string MeetingId, string AppId, string CustomParticipantId, string PresetId, string? PresetName, string? Name, string? Picture,
        string TokenId, long CreatedAt, long UpdatedAt)
    {
        public Participant ToModel() => new(Id, MeetingId, AppId, CustomParticipantId, PresetId, PresetName, Name, Picture, TokenId, Time(CreatedAt), Time(UpdatedAt));
    }
}
