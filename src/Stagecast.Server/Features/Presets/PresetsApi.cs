using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Presets;

/// <summary>Presets: what a participant may do in a meeting (RealtimeKit's /presets).</summary>
public static class PresetsApi
{
    public static void MapPresets(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/presets").WithTags("Presets");
        group.MapPost("/", CreateAsync).WithSummary("Create a preset");
        group.MapGet("/", ListAsync).WithSummary("List presets");
        group.MapGet("/{preset_id}", GetAsync).WithSummary("A preset");
        group.MapPatch("/{preset_id}", (HttpContext c, PresetService s, JsonBody<PresetRequest> b, string preset_id) => UpdateAsync(c, s, b, preset_id, replace: false))
            .WithSummary("Change a preset (merges)");
        group.MapPut("/{preset_id}", (HttpContext c, PresetService s, JsonBody<PresetRequest> b, string preset_id) => UpdateAsync(c, s, b, preset_id, replace: true))
            .WithSummary("Replace a preset");
        group.MapDelete("/{preset_id}", DeleteAsync).WithSummary("Delete a preset no participant uses (409 otherwise)");
    }

    private static async Task<Created<ApiResponse<PresetDto>>> CreateAsync(HttpContext context, PresetService presets, JsonBody<PresetRequest> body)
    {
        var preset = await presets.CreateAsync(context.App().Id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created(context, preset.Id, PresetDto.From(preset));
    }

    private static async Task<Ok<ApiListResponse<PresetDto>>> ListAsync(HttpContext context, IPresetStore store)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var page = await store.ListAsync(context.App().Id, query.Search(), paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(PresetDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<PresetDto>>> GetAsync(HttpContext context, PresetService presets, string preset_id) =>
        ApiResults.Ok(PresetDto.From(await presets.FindAsync(context.App().Id, preset_id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<PresetDto>>> UpdateAsync(HttpContext context, PresetService presets, JsonBody<PresetRequest> body, string presetId, bool replace) =>
        ApiResults.Ok(PresetDto.From(await presets.UpdateAsync(context.App().Id, presetId, body.Value, replace, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<PresetDto>>> DeleteAsync(HttpContext context, PresetService presets, string preset_id) =>
        ApiResults.Ok(PresetDto.From(await presets.DeleteAsync(context.App().Id, preset_id, context.RequestAborted).ConfigureAwait(false)));
}

public sealed record PresetDto(string Id, string Name, JsonObject Config, JsonObject Permissions, JsonObject Ui, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PresetDto From(Preset preset) =>
        new(preset.Id, preset.Name, preset.Config, preset.Permissions, preset.Ui, preset.CreatedAt, preset.UpdatedAt);
}
