using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>Livestreams: L1 and L2 of the API contract, plus reset-stream-key, enable, disable and delete (their sessions: <c>LivestreamSessionsApi</c>).</summary>
public static class LivestreamsApi
{
    public const string NamePattern = "^[a-zA-Z0-9-_]*$";

    public static void MapLivestreams(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/livestreams").WithTags("Livestreams");
        group.MapPost("/", CreateAsync).WithSummary("Create an independent livestream")
            .WithDescription("Optional JSON body: {\"name\": string matching ^[a-zA-Z0-9-_]*$, at most 256 characters, \"recording\", \"renditions\": [\"source\", \"720p\", …], " +
                "\"require_tls\": bool (refuse the key sent in clear; true by default with ?protocol=rtmps), " +
                "\"transcription_enabled\": bool (captions of its own audio in its HLS while the server runs a speech engine; false by default)}.");
        group.MapGet("/", ListAsync).WithSummary("List livestreams");
        group.MapPost("/{livestream_id}/reset-stream-key", ResetStreamKeyAsync).WithSummary("Issue a new stream key; a publisher on the old key is disconnected");
        group.MapPut("/{livestream_id}/enable", (HttpContext c, LivestreamService s, string livestream_id) => SetDisabledAsync(c, s, livestream_id, false))
            .WithSummary("Let publishers in again");
        group.MapPut("/{livestream_id}/disable", (HttpContext c, LivestreamService s, string livestream_id) => SetDisabledAsync(c, s, livestream_id, true))
            .WithSummary("Refuse publishers and stop a live broadcast");
        group.MapPatch("/{livestream_id}", PatchAsync).WithSummary("Change a livestream's recording setting, its renditions, whether it requires TLS or asks for captions")
            .WithDescription("JSON body: {\"recording\"?: {\"mode\": \"off\" | \"automatic\"}, \"renditions\"?: [\"source\", \"720p\", …], \"require_tls\"?: bool, \"transcription_enabled\"?: bool}; " +
                "it applies from the next session.");
        group.MapDelete("/{livestream_id}", DeleteAsync).WithSummary("Delete a livestream (its sessions stay in analytics)");
    }

    /// <summary>
    /// With <c>?protocol=rtmps</c>, its <c>ingest_server</c> is the RTMPS one (when the server has a certificate), and it
    /// requires TLS unless the body says <c>"require_tls": false</c>: a key meant for TLS is not taken in clear.
    /// </summary>
    private static async Task<Created<ApiResponse<LivestreamDto>>> CreateAsync(HttpContext context, LivestreamService livestreams, PublicUrls urls, JsonBody<CreateLivestreamRequest> body)
    {
        string protocol = new QueryParameters(context.Request.Query).Choice("protocol", Livestream.Rtmp, Livestream.Rtmps) ?? Livestream.Rtmp;
        if (protocol == Livestream.Rtmps && urls.RtmpsIngestServer is null)
        {
            throw ApiException.BadRequest("\"protocol\" rtmps needs RTMPS, which this server offers only with a certificate (--tls-cert and --tls-key)");
        }

        bool requireTls = body.Value.RequireTls ?? protocol == Livestream.Rtmps;
        var created = await livestreams.CreateAsync(context.App(), body.Value.Name, body.Value.Recording?.Mode, protocol, LadderSetting.Parse(body.Value.Renditions),
            requireTls, body.Value.TranscriptionEnabled ?? false, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created(context, created.Record.Id, LivestreamDto.From(created, context.App()));
    }

    private static async Task<Ok<ApiListResponse<LivestreamDto>>> ListAsync(HttpContext context, LivestreamService livestreams)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var (from, to) = query.TimeRange();
        var filter = new LivestreamFilter(Statuses(query), query.Boolean("exclude_meetings"), from, to, query.Ascending());
        var page = await livestreams.ListAsync(context.App(), filter, paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(l => LivestreamDto.From(l, context.App())).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<LivestreamDto>>> ResetStreamKeyAsync(HttpContext context, LivestreamService livestreams, string livestream_id) =>
        ApiResults.Ok(LivestreamDto.From(await livestreams.ResetStreamKeyAsync(context.App(), livestream_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw NotFound(livestream_id), context.App()));

    private static async Task<Ok<ApiResponse<LivestreamDto>>> SetDisabledAsync(HttpContext context, LivestreamService livestreams, string livestreamId, bool disabled) =>
        ApiResults.Ok(LivestreamDto.From(await livestreams.SetDisabledAsync(context.App(), livestreamId, disabled, context.RequestAborted).ConfigureAwait(false)
            ?? throw NotFound(livestreamId), context.App()));

    private static async Task<Ok<ApiResponse<LivestreamDto>>> PatchAsync(HttpContext context, LivestreamService livestreams, JsonBody<PatchLivestreamRequest> body, string livestream_id)
    {
        var view = body.Value.ChangesNothing
            ? await FindAsync(context, livestreams, livestream_id).ConfigureAwait(false)
            : await livestreams.UpdateAsync(context.App(), livestream_id, body.Value, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(livestream_id);
        return ApiResults.Ok(LivestreamDto.From(view, context.App()));
    }

    private static async Task<Ok<ApiResponse<MessageDto>>> DeleteAsync(HttpContext context, LivestreamService livestreams, string livestream_id) =>
        await livestreams.DeleteAsync(context.App(), livestream_id, context.RequestAborted).ConfigureAwait(false)
            ? ApiResults.Message("Deleted livestream successfully")
            : throw NotFound(livestream_id);

    internal static async Task<LivestreamView> FindAsync(HttpContext context, LivestreamService livestreams, string id) =>
        await livestreams.FindAsync(context.App(), id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);

    internal static ApiException NotFound(string id) => ApiException.NotFound($"No livestream found with id {id}");

    /// <summary>Livestream status filter; OFFLINE means not live (IDLE or ERRORED).</summary>
    private static IReadOnlyList<LivestreamStatus>? Statuses(QueryParameters query) =>
        query.Choice("status", "IDLE", "INVOKED", "LIVE", "ERRORED", "OFFLINE") switch
        {
            null => null,
            "IDLE" => [LivestreamStatus.Idle],
            "INVOKED" => [LivestreamStatus.Invoked],
            "LIVE" => [LivestreamStatus.Live],
            "ERRORED" => [LivestreamStatus.Errored],
            _ => [LivestreamStatus.Idle, LivestreamStatus.Errored],
        };
}

/// <summary>POST /livestreams: every field optional, so an empty body creates an unnamed livestream.</summary>
[OptionalBody]
public sealed record CreateLivestreamRequest : IValidatableObject
{
    [StringLength(256)]
    [RegularExpression(LivestreamsApi.NamePattern)]
    public string? Name { get; init; }

    public RecordingSettingRequest? Recording { get; init; }

    /// <summary>Its ladder (docs/renditions.md); without it, the livestream follows its app's default.</summary>
    public IReadOnlyList<string?>? Renditions { get; init; }

    /// <summary>Refuse the stream key when it comes in clear; without it, true for <c>?protocol=rtmps</c>.</summary>
    public bool? RequireTls { get; init; }

    /// <summary>Captions of the livestream's own audio in its HLS while the server runs a speech engine (docs/ai.md); false without it.</summary>
    public bool? TranscriptionEnabled { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RecordingSettingRequest.Check(Recording).Concat(LadderSetting.Check(Renditions, "renditions"));
}

/// <summary>PATCH /livestreams/{id}: what is given changes; <c>"renditions": null</c> makes the livestream follow its app's default again.</summary>
public sealed record PatchLivestreamRequest : IValidatableObject
{
    public RecordingSettingRequest? Recording { get; init; }

    /// <summary>A setter, not init: the serializer calls it only for a body that names the field (null included).</summary>
    public IReadOnlyList<string?>? Renditions
    {
        get;
        set
        {
            field = value;
            RenditionsGiven = true;
        }
    }

    [JsonIgnore]
    public bool RenditionsGiven { get; private set; }

    public bool? RequireTls { get; init; }

    public bool? TranscriptionEnabled { get; init; }

    public bool ChangesNothing => Recording?.Mode is null && !RenditionsGiven && RequireTls is null && TranscriptionEnabled is null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        RecordingSettingRequest.Check(Recording).Concat(LadderSetting.Check(Renditions, "renditions"));

    public Livestream ApplyTo(Livestream livestream) => livestream with
    {
        RecordingMode = Recording?.Mode ?? livestream.RecordingMode,
        Renditions = RenditionsGiven ? LadderSetting.Parse(Renditions) : livestream.Renditions,
        RequireTls = RequireTls ?? livestream.RequireTls,
        TranscriptionEnabled = TranscriptionEnabled ?? livestream.TranscriptionEnabled,
    };
}

/// <summary><c>recording: {mode}</c> of a livestream.</summary>
public sealed record RecordingSettingRequest
{
    public string? Mode { get; init; }

    public static IEnumerable<ValidationResult> Check(RecordingSettingRequest? setting)
    {
        if (setting is not null && setting.Mode is not (Livestream.RecordingOff or Livestream.RecordingAutomatic))
        {
            yield return new ValidationResult("\"recording.mode\" must be \"off\" or \"automatic\"");
        }
    }
}
