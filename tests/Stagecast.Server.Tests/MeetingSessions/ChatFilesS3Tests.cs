using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.MeetingSessions;

/// <summary>
/// Chat files with an S3 bucket configured (<c>Stagecast:Chat:Storage</c>), against s3rver: an image uploaded through
/// RealtimeKit's <c>chat-upload</c> lands in the bucket under <c>chat/</c>, not in the data directory; its signed
/// download link answers its bytes (streamed from the bucket); chat's retention deletes it from the bucket, then its
/// record. The server's clock is the real one (S3 refuses requests signed more than 15 minutes off), so retention is a
/// second.
/// </summary>
public sealed class ChatFilesS3Tests : IAsyncLifetime
{
    private const string Base = "stagecast.test";
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    private readonly TlsFiles _tls = new();
    private S3rver _s3 = null!;
    private ServerFixture _server = null!;
    private HttpClient _https = null!;

    public async Task InitializeAsync()
    {
        _s3 = await S3rver.StartAsync("stagecast");
        _server = await ServerFixture.StartAsync(
        [
            .. _tls.ServerFlags, "--realtimekit-base", Base, "--set", "Stagecast:Chat:Storage:Bucket=stagecast", "--set", $"Stagecast:Chat:Storage:Host={_s3.Endpoint}",
            "--set", "Stagecast:Chat:Storage:AccessKey=S3RVER", "--set", "Stagecast:Chat:Storage:Secret=S3RVER", "--set", "Stagecast:Chat:Retention=00:00:01",
        ]);
        _https = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = new Uri(_server.HttpBase) };
    }

    public async Task DisposeAsync()
    {
        _https.Dispose();
        await _server.DisposeAsync();
        await _s3.DisposeAsync();
        _tls.Dispose();
    }

    [Fact]
    public async Task AnImageGoesToTheBucketDownloadsThroughItsSignedLinkAndGoesWithChatsRetention()
    {
        var api = (await _server.NewTenantAsync()).WithClient(_https);
        var ada = await api.AddParticipantAsync(await api.CreateMeetingAsync(), "ada", "group_call_host");
        var (channel, _) = await MeetingHelpers.JoinAsync(_server.HttpBase, ada, certificate: _tls.Certificate); // files are sent by those in a live session
        await using var _ = channel;
        var reserved = JsonDocument.Parse(await SendAsync(HttpMethod.Post, $"https://api.{Base}/v2/meetings/chat-upload", """{"filename":"cat.png"}""", ada.Token)).RootElement.GetProperty("data");
        string put = reserved.GetProperty("put_location").GetString()!;
        string get = reserved.GetProperty("get_location").GetString()!;
        string id = new Uri(get).Segments[2].TrimEnd('/');

        using (var upload = await RequestAsync(HttpMethod.Put, put, new ByteArrayContent(Png) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        }

        Assert.NotEmpty(_s3.ObjectsWith($"chat{Path.DirectorySeparatorChar}{id}"));
        Assert.False(File.Exists(Path.Combine(_server.DataDir, "chat-files", id)), "the bytes are in the bucket, not the data directory");

        using (var download = await RequestAsync(HttpMethod.Get, get))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal(Png, await download.Content.ReadAsByteArrayAsync());
        }

        using (var unsigned = await RequestAsync(HttpMethod.Get, get.Split('?')[0]))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
        }

        // Sweeps run at start and hourly; here on demand, until the file is older than the retention.
        var retention = _server.App.Services.GetRequiredService<ChatRetentionService>();
        await Eventually.TrueAsync(async () =>
        {
            await retention.SweepAsync(CancellationToken.None);
            return _s3.ObjectsWith($"chat{Path.DirectorySeparatorChar}{id}").Length == 0;
        }, "retention to delete the file from the bucket");
        Assert.Null(await _server.App.Services.GetRequiredService<ChatFiles>().FindAsync(id)); // and its record
    }

    /// <summary>A request to a link the server handed out (or its <c>api.</c> host), sent to the server with that Host.</summary>
    private async Task<HttpResponseMessage> RequestAsync(HttpMethod method, string link, HttpContent? content = null, string? token = null)
    {
        var uri = new Uri(link);
        using var request = new HttpRequestMessage(method, $"{_server.HttpBase}{uri.PathAndQuery}") { Content = content };
        request.Headers.Host = $"{uri.Host}:{new Uri(_server.HttpBase).Port}";
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _https.SendAsync(request);
    }

    private async Task<string> SendAsync(HttpMethod method, string link, string body, string token)
    {
        using var response = await RequestAsync(method, link, new StringContent(body, Encoding.UTF8, "application/json"), token);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return text;
    }
}
