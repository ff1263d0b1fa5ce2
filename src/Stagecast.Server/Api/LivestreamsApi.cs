using System.Text.RegularExpressions;
using Stagecast.Server.Livestreams;
using Stagecast.Server.Persistence;

namespace Stagecast.Server.Api;

/// <summary>Livestreams: L1–L5 of the API contract, plus reset-stream-key, enable, disable and delete.</summary>
public static partial class LivestreamsApi
{
    private const int MaxNameLength = 256;

    public static void MapLivestreams(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/livestreams").WithTags("Livestreams");
        // No Accepts() constraint: it would make routing skip the endpoint for clients that send another
        // Content-Type (curl -d sends form encoding) or none; the body is read as JSON whatever it says.
        group.MapPost("/", CreateAsync).WithSummary("Create an independent livestream")
            .WithDescription("Optional JSON body: {\"name\": string matching ^[a-zA-Z0-9-_]*$, at most 256 characters}.")
            .Produces<ApiResponse<LivestreamDto>>(StatusCodes.Status201Created);
        group.MapGet("/", ListAsync).WithSummary("List livestreams").Produces<ApiListResponse<LivestreamDto>>();
        group.MapGet("/sessions/{livestream_session_id}", GetSessionAsync).WithSummary("A livestream session").Produces<ApiResponse<SessionDto>>();
        group.MapGet("/{livestream_id}", GetAsync).WithSummary("A livestream with its sessions").Produces<ApiResponse<LivestreamDetailsDto>>();
        group.MapGet("/{livestream_id}/active-livestream-session", GetActiveSessionAsync)
            .WithSummary("The session in progress; 404 when not live").Produces<ApiResponse<ActiveLivestreamSessionDto>>();
        group.MapPost("/{livestream_id}/reset-stream-key", ResetStreamKeyAsync)
            .WithSummary("Issue a new stream key; a publisher on the old key is disconnected").Produces<ApiResponse<LivestreamDto>>();
        group.MapPut("/{livestream_id}/enable", (HttpContext c, LivestreamService s, string livestream_id) => SetDisabledAsync(c, s, livestream_id, false))
            .WithSummary("Let publishers in again").Produces<ApiResponse<LivestreamDto>>();
        group.MapPut("/{livestream_id}/disable", (HttpContext c, LivestreamService s, string livestream_id) => SetDisabledAsync(c, s, livestream_id, true))
            .WithSummary("Refuse publishers and stop a live broadcast").Produces<ApiResponse<LivestreamDto>>();
        group.MapDelete("/{livestream_id}", DeleteAsync).WithSummary("Delete a livestream (its sessions stay in analytics)")
            .Produces<ApiResponse<MessageDto>>();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, LivestreamService livestreams)
    {
        string? name = await ReadNameAsync(context.Request).ConfigureAwait(false);
        var created = await livestreams.CreateAsync(context.App(), name, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created($"{context.Request.Path.Value!.TrimEnd('/')}/{created.Record.Id}", LivestreamDto.From(created));
    }

    private static async Task<IResult> ListAsync(HttpContext context, LivestreamService livestreams)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var (from, to) = query.TimeRange();
        var filter = new LivestreamFilter(query.Statuses(), query.Boolean("exclude_meetings"), from, to, query.Ascending());
        var page = await livestreams.ListAsync(context.App(), filter, paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(LivestreamDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<IResult> GetAsync(HttpContext context, LivestreamService livestreams, ILivestreamStore store, SessionViews views, string livestream_id)
    {
        var paging = new QueryParameters(context.Request.Query).Paging();
        var livestream = await FindAsync(context, livestreams, livestream_id).ConfigureAwait(false);
        var cancellation = context.RequestAborted;
        var page = await store.ListSessionsAsync(livestream_id, paging, cancellation).ConfigureAwait(false);
        var latestStored = paging.PageNo == 1 ? page.Items.FirstOrDefault()
            : (await store.ListSessionsAsync(livestream_id, new Paging(1, 1), cancellation).ConfigureAwait(false)).Items.FirstOrDefault();
        var latest = views.Active(context.App().Id, livestream_id, latestStored) ?? latestStored;
        var sessions = page.Items.Select(s => SessionDto.From(views.Current(s))).ToList();
        return ApiResults.Ok(new LivestreamDetailsDto(
            LivestreamDto.From(livestream),
            latest is null ? null : SessionDto.From(latest),
            sessions,
            PagingDto.For(paging, sessions.Count, page.TotalCount)));
    }

    private static async Task<IResult> GetActiveSessionAsync(HttpContext context, LivestreamService livestreams, ILivestreamStore store, SessionViews views, string livestream_id)
    {
        var livestream = await FindAsync(context, livestreams, livestream_id).ConfigureAwait(false);
        var latestStored = (await store.ListSessionsAsync(livestream_id, new Paging(1, 1), context.RequestAborted).ConfigureAwait(false)).Items.FirstOrDefault();
        var active = views.Active(context.App().Id, livestream_id, latestStored)
            ?? throw ApiException.NotFound($"No active livestream session found for livestream {livestream_id}");
        return ApiResults.Ok(new ActiveLivestreamSessionDto(LivestreamDto.From(livestream), SessionDto.From(active)));
    }

    private static async Task<IResult> GetSessionAsync(HttpContext context, ILivestreamStore store, SessionViews views, string livestream_session_id)
    {
        var session = await store.FindSessionAsync(context.App().Id, livestream_session_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No livestream session found with id {livestream_session_id}");
        return ApiResults.Ok(SessionDto.From(views.Current(session)));
    }

    private static async Task<IResult> ResetStreamKeyAsync(HttpContext context, LivestreamService livestreams, string livestream_id)
    {
        var livestream = await livestreams.ResetStreamKeyAsync(context.App(), livestream_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw NotFound(livestream_id);
        return ApiResults.Ok(LivestreamDto.From(livestream));
    }

    private static async Task<IResult> SetDisabledAsync(HttpContext context, LivestreamService livestreams, string livestreamId, bool disabled)
    {
        var livestream = await livestreams.SetDisabledAsync(context.App(), livestreamId, disabled, context.RequestAborted).ConfigureAwait(false)
            ?? throw NotFound(livestreamId);
        return ApiResults.Ok(LivestreamDto.From(livestream));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, LivestreamService livestreams, string livestream_id)
    {
        return await livestreams.DeleteAsync(context.App(), livestream_id, context.RequestAborted).ConfigureAwait(false)
            ? ApiResults.Ok(new MessageDto("Deleted livestream successfully"))
            : throw NotFound(livestream_id);
    }

    private static async Task<LivestreamView> FindAsync(HttpContext context, LivestreamService livestreams, string id) =>
        await livestreams.FindAsync(context.App(), id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);

    private static ApiException NotFound(string id) => ApiException.NotFound($"No livestream found with id {id}");

    /// <summary>The optional body {"name": …}: an empty body is fine; anything else must be a JSON object.</summary>
    private static async Task<string?> ReadNameAsync(HttpRequest request)
    {
        using var body = await ApiBody.ReadObjectAsync(request, required: false).ConfigureAwait(false);
        if (body is null || ApiBody.OptionalString(body.RootElement, "name", MaxNameLength) is not { } name)
        {
            return null;
        }

        return NamePattern().IsMatch(name) ? name : throw ApiException.BadRequest("\"name\" must match ^[a-zA-Z0-9-_]*$");
    }

    [GeneratedRegex("^[a-zA-Z0-9-_]*$")]
    private static partial Regex NamePattern();
}
