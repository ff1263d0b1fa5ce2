using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Participants;

/// <summary>Participants of a meeting (RealtimeKit's /meetings/{meeting_id}/participants).</summary>
public static class ParticipantsApi
{
    public static void MapParticipants(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/meetings/{meeting_id}/participants").WithTags("Participants");
        group.MapPost("/", AddAsync).WithSummary("Add a participant; the answer holds its token");
        group.MapGet("/", ListAsync).WithSummary("List participants (without tokens)");
        group.MapGet("/{participant_id}", GetAsync).WithSummary("A participant (without its token)");
        group.MapPatch("/{participant_id}", UpdateAsync).WithSummary("Change name, picture or preset; the answer holds a token");
        group.MapDelete("/{participant_id}", DeleteAsync).WithSummary("Delete a participant: its tokens stop working, its connections close");
        group.MapPost("/{participant_id}/token", RefreshAsync).WithSummary("A new token; earlier tokens stop working");
    }

    private static async Task<Created<ApiResponse<ParticipantDto>>> AddAsync(
        HttpContext context, ParticipantService participants, JsonBody<AddParticipantRequest> body, string meeting_id)
    {
        var (participant, token) = await participants.AddAsync(context.App(), meeting_id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created(context, participant.Id, ParticipantDto.From(participant, token));
    }

    private static async Task<Ok<ApiListResponse<ParticipantDto>>> ListAsync(HttpContext context, ParticipantService participants, string meeting_id)
    {
        var paging = new QueryParameters(context.Request.Query).Paging();
        var page = await participants.ListAsync(context.App(), meeting_id, paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(p => ParticipantDto.From(p)).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<ParticipantDto>>> GetAsync(HttpContext context, ParticipantService participants, string meeting_id, string participant_id) =>
        ApiResults.Ok(ParticipantDto.From(await participants.FindAsync(context.App(), meeting_id, participant_id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<ParticipantDto>>> UpdateAsync(
        HttpContext context, ParticipantService participants, JsonBody<UpdateParticipantRequest> body, string meeting_id, string participant_id)
    {
        var (participant, token) = await participants.UpdateAsync(context.App(), meeting_id, participant_id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(ParticipantDto.From(participant, token));
    }

    private static async Task<Ok<ApiResponse<ParticipantDto>>> DeleteAsync(HttpContext context, ParticipantService participants, string meeting_id, string participant_id) =>
        ApiResults.Ok(ParticipantDto.From(await participants.DeleteAsync(context.App(), meeting_id, participant_id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<TokenDto>>> RefreshAsync(HttpContext context, ParticipantService participants, string meeting_id, string participant_id) =>
        ApiResults.Ok(new TokenDto(await participants.RefreshTokenAsync(context.App(), meeting_id, participant_id, context.RequestAborted).ConfigureAwait(false)));
}

/// <summary>A participant; <c>token</c> only in the answers that issue one.</summary>
public sealed record ParticipantDto(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token,
    string CustomParticipantId,
    string? PresetName,
    string PresetId,
    string? Name,
    string? Picture,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ParticipantDto From(Participant p, string? token = null) =>
        new(p.Id, token, p.CustomParticipantId, p.PresetName, p.PresetId, p.Name, p.Picture, p.CreatedAt, p.UpdatedAt);
}

public sealed record TokenDto(string Token);
