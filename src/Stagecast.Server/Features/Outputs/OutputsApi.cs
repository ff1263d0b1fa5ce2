using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Restream;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Outputs;

/// <summary>Restream outputs of a livestream (Cloudflare Stream's live input outputs): push the stream to RTMP(S) destinations.</summary>
public static class OutputsApi
{
    public const int MaxOutputsPerLivestream = 50;

    public static void MapOutputs(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/livestreams/{livestream_id}/outputs").WithTags("Outputs");
        group.MapPost("/", CreateAsync).WithSummary("Add a restream destination")
            .WithDescription("JSON body: {\"url\": \"rtmp(s)://host/app\", \"stream_key\": string, \"enabled\"?: bool}.");
        group.MapGet("/", ListAsync).WithSummary("The restream destinations and their state");
        group.MapGet("/{output_id}", GetAsync).WithSummary("One destination and its state");
        group.MapPatch("/{output_id}", PatchAsync).WithSummary("Enable or disable a destination").WithDescription("JSON body: {\"enabled\": bool}.");
        group.MapDelete("/{output_id}", DeleteAsync).WithSummary("Remove a destination (a live push stops)");
    }

    private static async Task<Created<ApiResponse<OutputDto>>> CreateAsync(HttpContext context, LivestreamService livestreams, IOutputStore store,
        StreamKeyProtector keys, OutputManager outputs, OutputDestinations destinations, TimeProvider time, JsonBody<CreateOutputRequest> body, string livestream_id)
    {
        var livestream = await LivestreamsApi.FindAsync(context, livestreams, livestream_id).ConfigureAwait(false);
        string url = body.Value.Url!;
        if (await destinations.CheckAsync(new Uri(url), context.RequestAborted).ConfigureAwait(false) is { } refusal)
        {
            throw ApiException.BadRequest(refusal);
        }

        string streamKey = body.Value.StreamKey ?? "";
        bool enabled = body.Value.Enabled ?? true;

        var cancellation = context.RequestAborted;
        if ((await store.ListOutputsAsync(livestream_id, cancellation).ConfigureAwait(false)).Count >= MaxOutputsPerLivestream)
        {
            throw new ApiException(StatusCodes.Status409Conflict, $"a livestream has at most {MaxOutputsPerLivestream} outputs");
        }

        var now = time.GetUtcNow();
        var output = new LivestreamOutput(Guid.NewGuid().ToString(), livestream_id, livestream.Record.AppId, url, keys.Protect(streamKey), enabled, now, now);
        await store.CreateOutputAsync(output, cancellation).ConfigureAwait(false);
        outputs.Activate(output);
        return ApiResults.Created(context, output.Id, OutputDto.From(output, streamKey, outputs.StateOf(output.Id), now));
    }

    private static async Task<Ok<ApiListResponse<OutputDto>>> ListAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, StreamKeyProtector keys,
        OutputManager outputs, TimeProvider time, string livestream_id)
    {
        await LivestreamsApi.FindAsync(context, livestreams, livestream_id).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var list = (await store.ListOutputsAsync(livestream_id, context.RequestAborted).ConfigureAwait(false))
            .Select(o => OutputDto.From(o, keys.Unprotect(o.SealedStreamKey), outputs.StateOf(o.Id), now)).ToList();
        return ApiResults.List(list, new Paging(1, Math.Max(list.Count, 1)), list.Count);
    }

    private static async Task<Ok<ApiResponse<OutputDto>>> GetAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, StreamKeyProtector keys,
        OutputManager outputs, TimeProvider time, string livestream_id, string output_id)
    {
        var output = await FindOutputAsync(context, livestreams, store, livestream_id, output_id).ConfigureAwait(false);
        return ApiResults.Ok(OutputDto.From(output, keys.Unprotect(output.SealedStreamKey), outputs.StateOf(output.Id), time.GetUtcNow()));
    }

    private static async Task<Ok<ApiResponse<OutputDto>>> PatchAsync(HttpContext context, LivestreamService livestreams, IOutputStore store,
        StreamKeyProtector keys, OutputManager outputs, TimeProvider time, JsonBody<PatchOutputRequest> body, string livestream_id, string output_id)
    {
        var output = await FindOutputAsync(context, livestreams, store, livestream_id, output_id).ConfigureAwait(false);
        bool enabled = body.Value.Enabled!.Value;

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

    private static async Task<Ok<ApiResponse<MessageDto>>> DeleteAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, OutputManager outputs,
        string livestream_id, string output_id)
    {
        var output = await FindOutputAsync(context, livestreams, store, livestream_id, output_id).ConfigureAwait(false);
        await store.DeleteOutputAsync(output.Id, context.RequestAborted).ConfigureAwait(false);
        await outputs.DeactivateAsync(output.Id, forget: true).ConfigureAwait(false);
        return ApiResults.Message("Deleted output successfully");
    }

    private static async Task<LivestreamOutput> FindOutputAsync(HttpContext context, LivestreamService livestreams, IOutputStore store, string livestreamId, string outputId)
    {
        await LivestreamsApi.FindAsync(context, livestreams, livestreamId).ConfigureAwait(false);
        return await store.FindOutputAsync(livestreamId, outputId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No output found with id {outputId}");
    }
}

public sealed record CreateOutputRequest : IValidatableObject
{
    [Required]
    [StringLength(2048)]
    public string? Url { get; init; }

    [StringLength(1024)]
    public string? StreamKey { get; init; }

    public bool? Enabled { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || !RestreamDestination.IsSupported(uri))
        {
            yield return new ValidationResult("\"url\" must be an rtmp:// or rtmps:// URL with an application path, e.g. rtmp://a.rtmp.youtube.com/live2");
        }
    }
}

public sealed record PatchOutputRequest
{
    [Required]
    public bool? Enabled { get; init; }
}

/// <summary>
/// A restream destination with the state of its push. Its stream key is masked in every answer, the one that creates
/// it included (the app has it, and it is the destination's secret, like a room stream's): "****", or "" when none was given.
/// </summary>
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
        streamKey.Length == 0 ? "" : "****",
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
