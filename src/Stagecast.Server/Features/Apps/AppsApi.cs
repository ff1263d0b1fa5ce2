using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Apps;

/// <summary>The apps of an account (RealtimeKit's <c>/accounts/{account_id}/realtime/kit/apps</c>).</summary>
public static class AppsApi
{
    public static void MapApps(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/apps").WithTags("Apps");
        group.MapGet("/", ListAsync).WithSummary("List the account's apps");
        group.MapPost("/", CreateAsync).WithSummary("Create an app (with the default presets)");
        group.MapPatch("/{app_id}", PatchAsync).WithSummary("Change an app's name or its livestreams' default renditions")
            .WithDescription("JSON body: {\"name\"?, \"default_renditions\"?: [\"source\", \"720p\", …]} (docs/renditions.md).");
    }

    private static async Task<Ok<ApiListResponse<AppDto>>> ListAsync(HttpContext context, IAppStore store)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var page = await store.ListAsync(context.AccountId(), query.Search(), paging, query.Ascending(), context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(AppDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<Created<ApiResponse<CreatedAppDto>>> CreateAsync(HttpContext context, AppService apps, JsonBody<CreateAppRequest> body)
    {
        var app = await apps.CreateAsync(context.AccountId(), null, body.Value.Name, context.RequestAborted).ConfigureAwait(false);
        var dto = AppDto.From(app);
        return ApiResults.Created(context, app.Id, new CreatedAppDto(dto.Id, dto.Name, dto.CreatedAt, dto));
    }

    private static async Task<Ok<ApiResponse<AppDto>>> PatchAsync(HttpContext context, AppService apps, JsonBody<PatchAppRequest> body, string app_id)
    {
        var app = await apps.UpdateAsync(context.AccountId(), app_id, body.Value.Name, LadderSetting.Parse(body.Value.DefaultRenditions), context.RequestAborted)
            .ConfigureAwait(false) ?? throw ApiException.NotFound($"No app found with id {app_id} in account {context.AccountId()}");
        return ApiResults.Ok(AppDto.From(app));
    }
}

public sealed record CreateAppRequest
{
    [Required]
    [StringLength(256, MinimumLength = 1)]
    public string? Name { get; init; }
}

/// <summary>PATCH /apps/{app_id}: what is given changes.</summary>
public sealed record PatchAppRequest : IValidatableObject
{
    [StringLength(256, MinimumLength = 1)]
    public string? Name { get; init; }

    /// <summary>The renditions of the app's livestreams that choose none (docs/renditions.md).</summary>
    public IReadOnlyList<string?>? DefaultRenditions { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => LadderSetting.Check(DefaultRenditions, "default_renditions");
}

/// <summary>An app; <c>default_renditions</c> is what its livestreams that choose no renditions get.</summary>
public sealed record AppDto(string Id, string? Name, DateTimeOffset CreatedAt, IReadOnlyList<string> DefaultRenditions)
{
    public static AppDto From(App app) => new(app.Id, app.Name, app.CreatedAt, RenditionLadder.Names(app.DefaultRenditions ?? RenditionLadder.SourceOnly));
}

/// <summary>The contract's <c>{id, name, created_at}</c>, and the same under <c>app</c> as Cloudflare's SDK types it.</summary>
public sealed record CreatedAppDto(string Id, string? Name, DateTimeOffset CreatedAt, AppDto App);
