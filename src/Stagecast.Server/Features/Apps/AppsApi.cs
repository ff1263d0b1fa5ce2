using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Apps;

/// <summary>The apps of an account (RealtimeKit's <c>/accounts/{account_id}/realtime/kit/apps</c>).</summary>
public static class AppsApi
{
    public static void MapApps(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/apps").WithTags("Apps");
        group.MapGet("/", ListAsync).WithSummary("List the account's apps");
        group.MapPost("/", CreateAsync).WithSummary("Create an app (with the default presets)");
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
}

public sealed record CreateAppRequest
{
    [Required]
    [StringLength(256, MinimumLength = 1)]
    public string? Name { get; init; }
}

public sealed record AppDto(string Id, string? Name, DateTimeOffset CreatedAt)
{
    public static AppDto From(App app) => new(app.Id, app.Name, app.CreatedAt);
}

/// <summary>The contract's <c>{id, name, created_at}</c>, and the same under <c>app</c> as Cloudflare's SDK types it.</summary>
public sealed record CreatedAppDto(string Id, string? Name, DateTimeOffset CreatedAt, AppDto App);
