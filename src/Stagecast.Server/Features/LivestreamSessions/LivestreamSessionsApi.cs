using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>Livestreams with their sessions: L3-L5 of the API contract.</summary>
public static class LivestreamSessionsApi
{
    public static void MapLivestreamSessions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/livestreams").WithTags("Livestreams");
        group.MapGet("/sessions/{livestream_session_id}", GetSessionAsync).WithSummary("A livestream session");
        group.MapGet("/{livestream_id}", GetAsync).WithSummary("A livestream with its sessions");
        group.MapGet("/{livestream_id}/active-livestream-session", GetActiveSessionAsync).WithSummary("The session in progress; 404 when not live");
    }

    /// <summary>The livestream and its sessions read in one snapshot: its status and its latest session always agree.</summary>
    private static async Task<Ok<ApiResponse<LivestreamDetailsDto>>> GetAsync(
        HttpContext context, LivestreamService livestreams, ILivestreamSessionStore store, LivestreamSessionViews views, SqlDatabase db, string livestream_id)
    {
        var paging = new QueryParameters(context.Request.Query).Paging();
        var cancellation = context.RequestAborted;
        var (livestream, page, latest) = await db.ReadSnapshotAsync(async () =>
        {
            var livestream = await LivestreamsApi.FindAsync(context, livestreams, livestream_id).ConfigureAwait(false);
            var page = await store.ListSessionsAsync(livestream_id, paging, cancellation).ConfigureAwait(false);
            var latest = paging.PageNo == 1 ? FirstOf(page) : await LatestAsync(store, livestream_id, cancellation).ConfigureAwait(false);
            return (livestream, page, latest);
        }, cancellation).ConfigureAwait(false);
        var sessions = page.Items.Select(views.Show).ToList();
        return ApiResults.Ok(new LivestreamDetailsDto(
            LivestreamDto.From(livestream, context.App()),
            latest is null ? null : views.Show(latest),
            sessions,
            PagingDto.For(paging, sessions.Count, page.TotalCount)));
    }

    private static async Task<Ok<ApiResponse<ActiveLivestreamSessionDto>>> GetActiveSessionAsync(
        HttpContext context, LivestreamService livestreams, ILivestreamSessionStore store, LivestreamSessionViews views, SqlDatabase db, string livestream_id)
    {
        var (livestream, latest) = await db.ReadSnapshotAsync(async () => (
            await LivestreamsApi.FindAsync(context, livestreams, livestream_id).ConfigureAwait(false),
            await LatestAsync(store, livestream_id, context.RequestAborted).ConfigureAwait(false)), context.RequestAborted).ConfigureAwait(false);
        var active = LivestreamSessionViews.Active(latest) ?? throw ApiException.NotFound($"No active livestream session found for livestream {livestream_id}");
        return ApiResults.Ok(new ActiveLivestreamSessionDto(LivestreamDto.From(livestream, context.App()), views.Show(active)));
    }

    private static async Task<LivestreamSession?> LatestAsync(ILivestreamSessionStore store, string livestreamId, CancellationToken cancellationToken) =>
        FirstOf(await store.ListSessionsAsync(livestreamId, new Paging(1, 1), cancellationToken).ConfigureAwait(false));

    private static LivestreamSession? FirstOf(Page<LivestreamSession> page) => page.Items.Count > 0 ? page.Items[0] : null;

    private static async Task<Ok<ApiResponse<LivestreamSessionDto>>> GetSessionAsync(HttpContext context, ILivestreamSessionStore store, LivestreamSessionViews views,
        IEnumerable<ILivestreamSessionRecordings> recordings, string livestream_session_id)
    {
        var session = await store.FindSessionAsync(context.App().Id, livestream_session_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No livestream session found with id {livestream_session_id}");
        object? recording = recordings.FirstOrDefault() is { } lookup
            ? await lookup.ForSessionAsync(context.App().Id, session.Id, context.RequestAborted).ConfigureAwait(false)
            : null;
        return ApiResults.Ok(views.Show(session) with { Recording = recording });
    }
}
