using System.Text.Json;
using Stagecast.Restream;
using Stagecast.Server.Livestreams;
using Stagecast.Server.Persistence;
using Stagecast.Server.Security;

namespace Stagecast.Server.Api;

/// <summary>Restream outputs of a livestream (Cloudflare Stream's live input outputs): push the stream to RTMP(S) destinations.</summary>
public static class OutputsApi
{
    public const int MaxOutputsPerLivestream = 50;
    private const int MaxKeyLength = 1024;
    private const int MaxUrlLength = 2048;

    public static void MapOutputs(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/livestreams/{livestream_id}/outputs").WithTags("Outputs");
        group.MapPost("/", CreateAsync).WithSummary("Add a restream destination")
            .WithDescription("JSON body: {\"url\": \"rtmp(s)://host/app\", \"stream_key\": string, \"enabled\"?: bool}.")
            .Produces<ApiResponse<OutputDto>>(StatusCodes.Status201Created);
        group.MapGet("/", ListAsync).WithSummary("The restream destinations and their state").Produces<ApiListResponse<OutputDto>>();
        group.MapGet("/{output_id}", GetAsync).WithSummary("One destination and its state").Produces<ApiResponse<OutputDto>>();
        group.MapPatch("/{output_id}", PatchAsync).WithSummary("Enable or disable a destination").WithDescription("JSON body: {\"enabled\": bool}.")
            .Produces<ApiResponse<OutputDto>>();
        group.MapDelete("/{output_id}", DeleteAsync).WithSummary("Remove a destination (a live push stops)").Produces<ApiResponse<MessageDto>>();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, StreamKeyProtector keys,
        OutputManager outputs, TimeProvider time, string livestream_id)
    {
        var livestream = await FindLivestreamAsync(context, livestreams, livestream_id).ConfigureAwait(false);
        using var body = await ApiBody.ReadObjectAsync(context.Request, required: true).ConfigureAwait(false);
        var root = body!.RootElement;
        string url = ApiBody.RequiredString(root, "url", MaxUrlLength);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !RestreamDestination.IsSupported(uri))
        {
            throw ApiException.BadRequest("\"url\" must be an rtmp:// or rtmps:// URL with an application path, e.g. rtmp://a.rtmp.youtube.com/live2");
        }

        string streamKey = ApiBody.OptionalString(root, "stream_key", MaxKeyLength) ?? "";
        bool enabled = ApiBody.OptionalBoolean(root, "enabled") ?? true;

        var cancellation = context.RequestAborted;
        if ((await store.ListOutputsAsync(livestream_id, cancellation).ConfigureAwait(false)).Count >= MaxOutputsPerLivestream)
        {
            throw new ApiException(StatusCodes.Status409Conflict, $"a livestream has at most {MaxOutputsPerLivestream} outputs");
        }

        var now = time.GetUtcNow();
        var output = new LivestreamOutput(Guid.NewGuid().ToString(), livestream_id, livestream.Record.AppId, url, keys.Protect(streamKey), enabled, now, now);
        await store.CreateOutputAsync(output, cancellation).ConfigureAwait(false);
        outputs.Activate(output);
        return ApiResults.Created($"{context.Request.Path.Value!.TrimEnd('/')}/{output.Id}", OutputDto.From(output, streamKey, outputs.StateOf(output.Id), now));
    }

    private static async Task<IResult> ListAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, StreamKeyProtector keys,
        OutputManager outputs, TimeProvider time, string livestream_id)
    {
        await FindLivestreamAsync(context, livestreams, livestream_id).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var list = (await store.ListOutputsAsync(livestream_id, context.RequestAborted).ConfigureAwait(false))
            .Select(o => OutputDto.From(o, keys.Unprotect(o.SealedStreamKey), outputs.StateOf(o.Id), now)).ToList();
        return ApiResults.List(list, new Paging(1, Math.Max(list.Count, 1)), list.Count);
    }

    private static async Task<IResult> GetAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, StreamKeyProtector keys,
        OutputManager outputs, TimeProvider time, string livestream_id, string output_id)
    {
        var output = await FindOutputAsync(context, livestreams, store, livestream_id, output_id).ConfigureAwait(false);
        return ApiResults.Ok(OutputDto.From(output, keys.Unprotect(output.SealedStreamKey), outputs.StateOf(output.Id), time.GetUtcNow()));
    }

    private static async Task<IResult> PatchAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, StreamKeyProtector keys,
        OutputManager outputs, TimeProvider time, string livestream_id, string output_id)
    {
        var output = await FindOutputAsync(context, livestreams, store, livestream_id, output_id).ConfigureAwait(false);
        using var body = await ApiBody.ReadObjectAsync(context.Request, required: true).ConfigureAwait(false);
        bool enabled = ApiBody.OptionalBoolean(body!.RootElement, "enabled") ?? throw ApiException.BadRequest("\"enabled\" is required");

        var now = time.GetUtcNow();
        await store.SetOutputEnabledAsync(output.Id, enabled, now, context.RequestAborted).ConfigureAwait(false);
        output = output with { Enabled = enabled, UpdatedAt = now };
        if (enabled)
        {
            outputs.Activate(output);
        }
        else
        {
            await outputs.DeactivateAsync(output.Id, forget: false).ConfigureAwait(false);
        }

        return ApiResults.Ok(OutputDto.From(output, keys.Unprotect(output.SealedStreamKey), outputs.StateOf(output.Id), now));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, OutputManager outputs,
        string livestream_id, string output_id)
    {
        var output = await FindOutputAsync(context, livestreams, store, livestream_id, output_id).ConfigureAwait(false);
        await store.DeleteOutputAsync(output.Id, context.RequestAborted).ConfigureAwait(false);
        await outputs.DeactivateAsync(output.Id, forget: true).ConfigureAwait(false);
        return ApiResults.Ok(new MessageDto("Deleted output successfully"));
    }

    private static async Task<LivestreamView> FindLivestreamAsync(HttpContext context, LivestreamService livestreams, string id) =>
        await livestreams.FindAsync(context.App(), id, context.RequestAborted).ConfigureAwait(false)
        ?? throw ApiException.NotFound($"No livestream found with id {id}");

    private static async Task<LivestreamOutput> FindOutputAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, string livestreamId, string outputId)
    {
        await FindLivestreamAsync(context, livestreams, livestreamId).ConfigureAwait(false);
        return await store.FindOutputAsync(livestreamId, outputId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No output found with id {outputId}");
    }
}

/// <summary>A restream destination with the state of its push.</summary>
public sealed record OutputDto(
    string Id,
    string LivestreamId,
    string Url,
    string StreamKey,
    bool Enabled,
    string Status,
    string? LastError,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double Duration,
    long BytesSent,
    long DroppedFrames,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static OutputDto From(LivestreamOutput output, string streamKey, RestreamState state, DateTimeOffset now) => new(
        output.Id,
        output.LivestreamId,
        output.Url,
        streamKey,
        output.Enabled,
        state.Status.ToString().ToLowerInvariant(),
        state.LastError,
        state.StartedAt,
        state.EndedAt,
        Math.Round(state.DurationSeconds(now), 3),
        state.BytesSent,
        state.DroppedFrames,
        output.CreatedAt,
        output.UpdatedAt);
}
