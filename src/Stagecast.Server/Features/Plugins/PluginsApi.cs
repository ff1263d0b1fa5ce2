using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Plugins;

/// <summary>Plugins: the web apps an app offers in its meetings, which a host opens for everyone.</summary>
public static class PluginsApi
{
    public static void MapPlugins(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/plugins").WithTags("Plugins");
        group.MapPost("/", CreateAsync).WithSummary("Register a plugin");
        group.MapGet("/", ListAsync).WithSummary("List plugins");
        group.MapGet("/{plugin_id}", GetAsync).WithSummary("A plugin");
        group.MapPatch("/{plugin_id}", UpdateAsync).WithSummary("Change a plugin");
        group.MapDelete("/{plugin_id}", DeleteAsync).WithSummary("Delete a plugin");
    }

    private static async Task<Created<ApiResponse<PluginDto>>> CreateAsync(HttpContext context, PluginService plugins, JsonBody<PluginRequest> body)
    {
        var plugin = await plugins.CreateAsync(context.App().Id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created(context, plugin.Id, PluginDto.From(plugin));
    }

    private static async Task<Ok<ApiListResponse<PluginDto>>> ListAsync(HttpContext context, IPluginStore store)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var page = await store.ListAsync(context.App().Id, query.Search(), paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(PluginDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<PluginDto>>> GetAsync(HttpContext context, PluginService plugins, string plugin_id) =>
        ApiResults.Ok(PluginDto.From(await plugins.FindAsync(context.App().Id, plugin_id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<PluginDto>>> UpdateAsync(HttpContext context, PluginService plugins, JsonBody<PluginRequest> body, string plugin_id) =>
        ApiResults.Ok(PluginDto.From(await plugins.UpdateAsync(context.App().Id, plugin_id, body.Value, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<PluginDto>>> DeleteAsync(HttpContext context, PluginService plugins, string plugin_id) =>
        ApiResults.Ok(PluginDto.From(await plugins.DeleteAsync(context.App().Id, plugin_id, context.RequestAborted).ConfigureAwait(false)));
}

public sealed record PluginDto(string Id, string Name, string Description, string? Picture, string BaseUrl, IReadOnlyList<string> Presets, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static PluginDto From(Plugin plugin) =>
        new(plugin.Id, plugin.Name, plugin.Description, plugin.Picture, plugin.BaseUrl, plugin.Presets, plugin.CreatedAt, plugin.UpdatedAt);
}

/// <summary>The body of POST and PATCH /plugins (PATCH: every field optional).</summary>
public sealed record PluginRequest : IValidatableObject
{
    public const int MaxUrlLength = 2048;

    [StringLength(256, MinimumLength = 1)]
    public string? Name { get; init; }

    [StringLength(4000)]
    public string? Description { get; init; }

    [StringLength(MaxUrlLength)]
    public string? Picture { get; init; }

    [StringLength(MaxUrlLength)]
    public string? BaseUrl { get; init; }

    [ItemCount(0, 64)]
    public string[]? Presets { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BaseUrl is not null && !PluginUrls.IsFrameable(BaseUrl))
        {
            yield return new ValidationResult($"\"base_url\" must be {PluginUrls.Rule}: every page of the meeting frames it");
        }

        if (Picture is not null && !(HttpUrls.TryParse(Picture, out var uri) && !HttpUrls.HasCredentials(uri)))
        {
            yield return new ValidationResult("\"picture\" must be an absolute http:// or https:// URL without credentials");
        }

        if (Presets?.FirstOrDefault(p => string.IsNullOrEmpty(p) || p.Length > 256) is not null)
        {
            yield return new ValidationResult("\"presets\" must name presets (1 to 256 characters each)");
        }
    }
}
