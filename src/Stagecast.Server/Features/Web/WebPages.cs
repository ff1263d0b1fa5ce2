using System.Collections.Frozen;
using System.Reflection;
using System.Text.Encodings.Web;
using Stagecast.Hls;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Web;

/// <summary>
/// What a person opens in a browser, all served from the binary (no CDN): the watch page of a livestream
/// (<c>/watch/{id}</c>, <c>?embed=1</c> for an iframe; <c>/{id}</c> redirects there), its public live state, and the
/// dashboard (<c>/dashboard</c>, also what <c>/</c> opens), which signs in with an API token and uses the REST API,
/// the meeting page (<c>/meet/{meeting_id}</c>, built on the client module), the client module itself (<c>/sdk/</c>) and
/// Stagecast's own meeting plugins (<c>/plugins/notes</c>).
/// </summary>
public static class WebPages
{
    private const string PageSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'";

    /// <summary>Loaded with the first page asked for, not at start (an idle server keeps them out of memory).</summary>
    private static FrozenDictionary<string, Asset> Assets => AssetTable.All;

    /// <summary>What the pages' JSON needs (the watch page's live state).</summary>
    public static IServiceCollection AddWebPages(this IServiceCollection services) => services.AddApiJson(WebJsonContext.Default);

    public static IEndpointRouteBuilder MapWebPages(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/assets/{file}", (HttpContext context, string file) =>
            Assets.TryGetValue("assets/" + file, out var asset) ? Serve(context, asset) : Results.NotFound()).ExcludeFromDescription();

        // The client module: public and cacheable like any script, importable from an app's own origin.
        endpoints.MapGet("/sdk/{file}", (HttpContext context, string file) =>
        {
            if (!Assets.TryGetValue("sdk/" + file, out var asset))
            {
                return Results.NotFound();
            }

            context.Response.Headers.AccessControlAllowOrigin = "*";
            return Serve(context, asset);
        }).ExcludeFromDescription();

        // The meeting page: the participant token travels in the fragment, so the server never sees it here.
        endpoints.MapGet("/meet/{meeting_id}", (HttpContext context, string meeting_id) =>
            Page(context, Render("meet.html", ("id", meeting_id)), frameable: false)).ExcludeFromDescription();

        // Stagecast's own meeting plugins (the shared notes pad): framed by meeting pages of any origin.
        endpoints.MapGet("/plugins/{name}", (HttpContext context, string name) =>
            Assets.ContainsKey($"plugins/{name}.html") ? Page(context, Text($"plugins/{name}.html"), frameable: true) : Results.NotFound()).ExcludeFromDescription();

        endpoints.MapGet("/", () => Results.Redirect("/dashboard")).ExcludeFromDescription();
        endpoints.MapGet("/dashboard", (HttpContext context) => Page(context, Text("dashboard.html"), frameable: false)).ExcludeFromDescription();
        endpoints.MapGet("/{livestream_id:guid}", (Guid livestream_id) => Results.Redirect($"/watch/{livestream_id}")).ExcludeFromDescription();

        // The page asks for the playlist and the picture by path, on whatever host name it was opened: the public URL's
        // host may be another name of this server, which the page's CSP (connect-src and img-src 'self') would refuse.
        endpoints.MapGet("/watch/{livestream_id}", async (HttpContext context, ILivestreamStore store, string livestream_id) =>
        {
            if (await store.FindLivestreamAsync(livestream_id, context.RequestAborted).ConfigureAwait(false) is not { } livestream)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Page(context, Render("notfound.html", ("id", livestream_id)), frameable: true);
            }

            bool embed = context.Request.Query["embed"] is { Count: > 0 } value && value[0] is "1" or "true";
            string html = Render("watch.html",
                ("id", livestream.Id),
                ("title", string.IsNullOrEmpty(livestream.Name) ? "Livestream" : livestream.Name),
                ("embedClass", embed ? " embed" : ""));
            return Page(context, html, frameable: embed);
        }).ExcludeFromDescription();

        // Public like the playback URL: whether there is a picture to play, and how many watch it.
        endpoints.MapGet("/watch/{livestream_id}/state", async (HttpContext context, ILivestreamStore store, HlsStreamRegistry hls, LiveViewers viewers, string livestream_id) =>
        {
            if (await store.FindLivestreamAsync(livestream_id, context.RequestAborted).ConfigureAwait(false) is null)
            {
                return Results.NotFound();
            }

            bool live = hls.TryGet(livestream_id, out var output) && !output.IsEnded && output.Snapshot is not null;
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new WatchState(live, viewers.Count(livestream_id)));
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Page(HttpContext context, string html, bool frameable)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = PageSecurityPolicy + (frameable ? "; frame-ancestors *" : "; frame-ancestors 'none'");
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-cache";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static IResult Serve(HttpContext context, Asset asset)
    {
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "public, max-age=300";
        headers.XContentTypeOptions = "nosniff";
        return context.Request.Headers.IfNoneMatch == asset.ETag
            ? Results.StatusCode(StatusCodes.Status304NotModified)
            : Results.Bytes(asset.Content, asset.ContentType);
    }

    /// <summary>A page template with <c>{{name}}</c> placeholders filled with HTML-encoded values.</summary>
    private static string Render(string page, params (string Name, string Value)[] values)
    {
        string html = Text(page);
        foreach (var (name, value) in values)
        {
            html = html.Replace("{{" + name + "}}", HtmlEncoder.Default.Encode(value), StringComparison.Ordinal);
        }

        return html;
    }

    private static string Text(string name) => System.Text.Encoding.UTF8.GetString(Assets[name].Content);

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("web/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            byte[] content = buffer.ToArray();
            string etag = $"\"{Fnv1a(content):x16}\"";
            assets[resource["web/".Length..]] = new Asset(content, ContentType(resource), etag);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>FNV-1a, 64 bits: an ETag only has to change with the content, and needs no cryptography library.</summary>
    private static ulong Fnv1a(ReadOnlySpan<byte> content)
    {
        ulong hash = 14695981039346656037;
        foreach (byte b in content)
        {
            hash = (hash ^ b) * 1099511628211;
        }

        return hash;
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".ts" => "text/plain; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".html" => "text/html; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "text/plain; charset=utf-8",
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    private static class AssetTable
    {
        public static readonly FrozenDictionary<string, Asset> All = LoadAssets();
    }

    public sealed record WatchState(bool Live, int LiveViewers);
}
