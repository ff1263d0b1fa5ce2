using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Stagecast.Testing;

/// <summary>Calls the Stagecast REST API as an application would: one account, one app, one token.</summary>
public sealed class StagecastApiClient(HttpClient http, string accountId, string appId, string token, string basePath = "/client/v4")
{
    /// <summary>The same tenant on another server address (e.g. after a restart on new ports).</summary>
    public StagecastApiClient WithBase(string httpBase) =>
        new(new HttpClient { BaseAddress = new Uri(httpBase), Timeout = http.Timeout }, accountId, appId, token, basePath);

    /// <summary>The same tenant through another HTTP client (another source address, another handler).</summary>
    public StagecastApiClient WithClient(HttpClient client) => new(client, accountId, appId, token, basePath);

    public string AccountId => accountId;

    public string AppId => appId;

    public string Token => token;

    public string Base => $"{basePath}/accounts/{accountId}/realtime/kit/{appId}";

    public async Task<ApiReply> SendAsync(HttpMethod method, string path, string? body = null, string? bearer = null)
    {
        // Paths of the API ("/livestreams") go under this tenant's base; full paths (and /cluster/…) are used as given.
        bool full = path.StartsWith("/client/", StringComparison.Ordinal) || path.StartsWith("/accounts/", StringComparison.Ordinal)
            || path.StartsWith("/cluster/", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(method, full ? path : Base + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new ApiReply(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Headers);
    }

    public Task<ApiReply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<ApiReply> PostAsync(string path, string? body = null) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>Creates a livestream (with its own rendition ladder when <paramref name="renditions"/> is given) and returns what an encoder and a player need.</summary>
    public async Task<CreatedLivestream> CreateLivestreamAsync(string? name = null, string[]? renditions = null)
    {
        var body = (name, renditions) switch
        {
            (null, null) => null,
            (_, null) => JsonSerializer.Serialize(new { name }),
            _ => JsonSerializer.Serialize(new { name, renditions }),
        };
        var reply = await PostAsync("/livestreams", body);
        if (reply.Status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"create failed: {reply.Status} {reply.Body}");
        }

        var data = reply.Data;
        return new CreatedLivestream(
            data.GetProperty("id").GetString()!,
            data.GetProperty("stream_key").GetString()!,
            data.GetProperty("ingest_server").GetString()!,
            data.GetProperty("playback_url").GetString()!,
            data.TryGetProperty("srt_url", out var srt) && srt.ValueKind == JsonValueKind.String ? srt.GetString() : null);
    }

    /// <summary>GET /livestreams/{id}: {livestream, session, sessions, paging}.</summary>
    public async Task<JsonElement> GetLivestreamAsync(string id) => (await GetAsync($"/livestreams/{id}")).EnsureOk().Data;

    /// <summary>Polls until the livestream's status is the expected one.</summary>
    public Task<JsonElement> WaitForStatusAsync(string id, string status, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(() => GetLivestreamAsync(id), d => d.GetProperty("livestream").GetProperty("status").GetString() == status,
            $"livestream {id} to become {status}", timeout);

    /// <summary>Polls a GET until a condition on its answer holds.</summary>
    public Task<ApiReply> WaitForAsync(string path, Func<ApiReply, bool> condition, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(() => GetAsync(path), condition, $"{path} to meet the condition", timeout, r => $"{r.Status} {r.Body}");
}

public sealed record CreatedLivestream(string Id, string StreamKey, string IngestServer, string PlaybackUrl, string? SrtUrl = null)
{
    public string PublishUrl => $"{IngestServer}/{StreamKey}";
}

public sealed record ApiReply(HttpStatusCode Status, JsonElement Body, HttpResponseHeaders Headers)
{
    public JsonElement Data => Body.GetProperty("data");

    public string ErrorMessage => Body.GetProperty("error").GetProperty("message").GetString()!;

    public int ErrorCode => Body.GetProperty("error").GetProperty("code").GetInt32();

    public ApiReply EnsureOk()
    {
        if ((int)Status is < 200 or > 299 || !Body.GetProperty("success").GetBoolean())
        {
            throw new InvalidOperationException($"API call failed: {(int)Status} {Body}");
        }

        return this;
    }
}
