using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Meeting sessions, their participants and chat (RealtimeKit's /sessions).</summary>
public static class MeetingSessionsApi
{
    public const string ChatDownloadPath = "/downloads/sessions/{session_id}/chat.csv";

    public static void MapSessions(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/sessions").WithTags("Sessions");
        group.MapGet("/", ListAsync).WithSummary("Meeting sessions; filter by associated_id (meeting), status, start_time, end_time, search");
        group.MapGet("/{session_id}", GetAsync).WithSummary("A meeting session; include_breakout_rooms=true lists its breakout rooms' sessions");
        group.MapGet("/{session_id}/participants", ParticipantsAsync).WithSummary("Who was in the session: joins (view=raw) or participants (view=consolidated)");
        group.MapGet("/{session_id}/participants/{participant_id}", ParticipantAsync)
            .WithSummary("One peer (by peer id) or participant (by participant id), with its call stats (peer_report)");
        group.MapGet("/peer-report/{peer_id}", PeerReportAsync)
            .WithSummary("One peer (one join of a participant) of any session, by peer id: who, when, its connection events and call stats (peer_report)");
        group.MapGet("/{session_id}/chat", ChatAsync).WithSummary("A download URL for the session's chat as CSV");
    }

    /// <summary>The signed CSV download (outside the API: the URL itself is the credential, for an hour).</summary>
    public static IEndpointRouteBuilder MapChatDownload(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(ChatDownloadPath, async (HttpContext context, IMeetingSessionStore store, DownloadSigner signer, ChatFiles files, string session_id) =>
        {
            if (!signer.IsSigned(context.Request, context.Request.Path.Value!))
            {
                return SignedDownloads.Refused();
            }

            var chat = await store.ListChatAsync(session_id, context.RequestAborted).ConfigureAwait(false);
            return SignedDownloads.Text(context, "chat", session_id, "csv", ChatCsv.Write(chat, files), "text/csv; charset=utf-8");
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Ok<ApiPagedResponse<MeetingSessionListDto>>> ListAsync(HttpContext context, IMeetingSessionStore store, TimeProvider time)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var (from, to) = query.TimeRange();
        var filter = new MeetingSessionFilter(
            query.Text("associated_id"),
            query.Choice("status", "LIVE", "ENDED") switch { "LIVE" => true, "ENDED" => false, _ => null },
            from,
            to,
            query.Search(),
            query.Choice("sort_by", "createdAt", "minutesConsumed") == "minutesConsumed",
            query.Ascending());
        var page = await store.ListSessionsAsync(context.App().Id, filter, paging, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        var sessions = page.Items.Select(MeetingSessionDto.From).ToList();
        return ApiResults.Paged(new MeetingSessionListDto(sessions), paging, sessions.Count, page.TotalCount);
    }

    /// <summary>
    /// A session; with <c>include_breakout_rooms=true</c>, its <c>breakout_rooms</c> are the sessions its meeting's
    /// breakout rooms (child meetings, closed ones too) started while it ran, oldest first (one page: the first 100).
    /// </summary>
    private static async Task<Ok<ApiResponse<MeetingSessionDto>>> GetAsync(HttpContext context, IMeetingSessionStore store, TimeProvider time, string session_id)
    {
        var session = await FindAsync(context, store, time, session_id).ConfigureAwait(false);
        var dto = MeetingSessionDto.From(session);
        if (!new QueryParameters(context.Request.Query).Boolean("include_breakout_rooms"))
        {
            return ApiResults.Ok(dto);
        }

        var filter = new MeetingSessionFilter(null, null, session.StartedAt, session.EndedAt, null, SortByMinutes: false, Ascending: true, ParentMeetingId: session.MeetingId);
        var held = await store.ListSessionsAsync(context.App().Id, filter, new Paging(1, QueryParameters.MaxPerPage), time.GetUtcNow(), context.RequestAborted)
            .ConfigureAwait(false);
        return ApiResults.Ok(dto with { BreakoutRooms = [.. held.Items.Select(MeetingSessionDto.From)] });
    }

    private static async Task<Ok<ApiPagedResponse<MeetingSessionParticipantsDto>>> ParticipantsAsync(HttpContext context, IMeetingSessionStore store, TimeProvider time, string session_id)
    {
        await FindAsync(context, store, time, session_id).ConfigureAwait(false);
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var now = time.GetUtcNow();
        if (query.Choice("view", "raw", "consolidated") == "consolidated")
        {
            var all = (await store.ListPeersAsync(session_id, new Paging(1, int.MaxValue), context.RequestAborted).ConfigureAwait(false)).Items;
            var rows = all.GroupBy(p => p.ParticipantId).Select(g => MeetingSessionParticipantDto.Consolidate(g.ToList(), now)).ToList();
            var pageRows = rows.Skip(paging.Offset).Take(paging.PerPage).ToList();
            return ApiResults.Paged(new MeetingSessionParticipantsDto(pageRows), paging, pageRows.Count, rows.Count);
        }

        var page = await store.ListPeersAsync(session_id, paging, context.RequestAborted).ConfigureAwait(false);
        var peers = page.Items.Select(p => MeetingSessionParticipantDto.From(p, now)).ToList();
        return ApiResults.Paged(new MeetingSessionParticipantsDto(peers), paging, peers.Count, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<MeetingSessionParticipantDetailsDto>>> ParticipantAsync(
        HttpContext context, IMeetingSessionStore store, IEnumerable<IMeetingSessionMediaStats> media, TimeProvider time, string session_id, string participant_id)
    {
        await FindAsync(context, store, time, session_id).ConfigureAwait(false);
        var peers = (await store.ListPeersAsync(session_id, new Paging(1, int.MaxValue), context.RequestAborted).ConfigureAwait(false)).Items;
        var now = time.GetUtcNow();
        var byPeer = peers.FirstOrDefault(p => p.Id == participant_id);
        var byParticipant = peers.Where(p => p.ParticipantId == participant_id).ToList();
        var row = byPeer is not null ? MeetingSessionParticipantDto.From(byPeer, now)
            : byParticipant.Count > 0 ? MeetingSessionParticipantDto.Consolidate(byParticipant, now)
            : throw ApiException.NotFound($"No participant found with id {participant_id} in session {session_id}");
        string[] peerIds = byPeer is not null ? [byPeer.Id] : [.. byParticipant.Select(p => p.Id)];
        return ApiResults.Ok(new MeetingSessionParticipantDetailsDto(row, await ReportAsync(media, session_id, peerIds, now, context.RequestAborted).ConfigureAwait(false)));
    }

    /// <summary>
    /// RealtimeKit's <c>GET /sessions/peer-report/{peer_id}</c> (the SDK's <c>sessions.getParticipantDataFromPeerID</c>):
    /// the peer's row with its session, preset name (<c>role</c>), its connection events (joining, and leaving once it
    /// left) and its call stats.
    /// </summary>
    private static async Task<Ok<ApiResponse<PeerReportDetailsDto>>> PeerReportAsync(
        HttpContext context, IMeetingSessionStore store, IEnumerable<IMeetingSessionMediaStats> media, TimeProvider time, string peer_id)
    {
        var peer = await store.FindPeerAsync(context.App().Id, peer_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No peer found with id {peer_id}");
        var now = time.GetUtcNow();
        var report = await ReportAsync(media, peer.SessionId, [peer.Id], now, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(new PeerReportDetailsDto(PeerReportParticipantDto.From(peer, report, now)));
    }

    private static async Task<PeerReportDto> ReportAsync(
        IEnumerable<IMeetingSessionMediaStats> media, string sessionId, string[] peerIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<MeetingSessionMediaTrack> tracks = [];
        foreach (var source in media)
        {
            tracks.AddRange(await source.ListAsync(sessionId, peerIds, cancellationToken).ConfigureAwait(false));
        }

        return new PeerReportDto(QualityDto.From(tracks, now));
    }

    private static async Task<Ok<ApiResponse<ChatDownloadDto>>> ChatAsync(
        HttpContext context, IMeetingSessionStore store, TimeProvider time, DownloadSigner signer, PublicUrls urls, string session_id)
    {
        await FindAsync(context, store, time, session_id).ConfigureAwait(false);
        var (url, expires) = signer.Link(urls.HttpBase, ChatDownloadPath.Replace("{session_id}", session_id, StringComparison.Ordinal));
        return ApiResults.Ok(new ChatDownloadDto(url, expires));
    }

    private static async Task<MeetingSession> FindAsync(HttpContext context, IMeetingSessionStore store, TimeProvider time, string sessionId) =>
        await store.FindSessionAsync(context.App().Id, sessionId, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
        ?? throw ApiException.NotFound($"No session found with id {sessionId}");
}
