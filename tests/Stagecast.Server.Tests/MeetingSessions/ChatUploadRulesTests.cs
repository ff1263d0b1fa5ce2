using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.MeetingSessions;

/// <summary>
/// Who may put a file in chat, how much, and on which host its links are, through RealtimeKit's
/// <c>POST /v2/meetings/chat-upload</c>, the JSON channel's <c>chat_upload</c> and the PUT of the bytes: only a peer of
/// a live session of an active meeting whose preset allows files (not a participant who never joined, a waiter, one who
/// left, one of an inactive meeting), within the quotas (413 with the envelope), with links on the server's configured
/// hosts whatever Host header the client sent. The quotas are summed in the store: the class is part of the store contract.
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class ChatUploadRulesTests : IAsyncLifetime
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    private readonly TlsFiles _tls = new(RealtimeKitBrowser.Domain);
    private ServerFixture _server = null!;
    private HttpClient _https = null!;
    private StagecastApiClient _api = null!;

    private int HttpsPort => new Uri(_server.HttpBase).Port;

    public async Task InitializeAsync()
    {
        // Two reservations (64 KiB each until their bytes arrive) fill a participant's quota here.
        _server = await ServerFixture.StartAsync([.. _tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain, "--set", "Stagecast:Chat:MaxFileBytesPerParticipant=131072"]);
        _https = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true } }) { BaseAddress = new Uri(_server.HttpBase) };
        _api = (await _server.NewTenantAsync()).WithClient(_https);
    }

    public async Task DisposeAsync()
    {
        _https.Dispose();
        await _server.DisposeAsync();
        _tls.Dispose();
    }

    [Fact]
    public async Task OnlyAPeerOfALiveSessionWhosePresetAllowsFilesReservesOrUploadsOne()
    {
        (await _api.PostAsync("/presets", JsonSerializer.Serialize(new { name = "waits", permissions = new { waiting_room_type = "ON_PRIVILEGED_USER_ENTRY" } }))).EnsureOk();
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada");
        var bob = await _api.AddParticipantAsync(meeting, "bob");
        var walt = await _api.AddParticipantAsync(meeting, "walt", "waits");

        // No session in progress: nothing to send a file in.
        var (status, body) = await ReserveAsync(ada.Token, "a.png");
        Assert.Equal((HttpStatusCode.Conflict, "files are sent in chat during a live session of the meeting, and none is in progress"), (status, Message(body)));

        // A session, but Ada is not in it; Walt waits to be let in.
        var (b, _) = await MeetingHelpers.JoinAsync(_server.HttpBase, bob, certificate: _tls.Certificate);
        await using var _b = b;
        await using var w = await RealtimeTestClient.ConnectAsync(_server.HttpBase, walt.Token, _tls.Certificate);
        _ = w.RequestAsync("join");
        await w.WaitForEventAsync("waitlisted");
        foreach (var outside in new[] { ada, walt })
        {
            (status, body) = await ReserveAsync(outside.Token, "a.png");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.StartsWith("join the meeting's session first", Message(body), StringComparison.Ordinal);
        }

        // In it, she may; once she has left, the bytes of what she reserved are refused.
        var (a, _) = await MeetingHelpers.JoinAsync(_server.HttpBase, ada, certificate: _tls.Certificate);
        string put = Data(await ReserveOkAsync(ada.Token, "a.png")).GetProperty("put_location").GetString()!;
        await a.OkAsync("leave");
        await a.DisposeAsync();
        var refused = await PutAsync(put, Png);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.StartsWith("join the meeting's session first", Message(refused.Body), StringComparison.Ordinal);

        // Bob reserves on the channel; the meeting is made inactive before the bytes come: no session, nothing taken.
        string bobPut = (await b.OkAsync("chat_upload", new { filename = "b.png" })).GetProperty("upload_url").GetString()!;
        (await _api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}", """{"status":"INACTIVE"}""")).EnsureOk();
        await b.WaitForCloseAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(bobPut, Png)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await ReserveAsync(bob.Token, "b.png")).Status);
    }

    [Fact]
    public async Task PastItsQuotaAParticipantsUploadIsRefusedWith413AndTheEnvelope()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada");
        var (a, _) = await MeetingHelpers.JoinAsync(_server.HttpBase, ada, certificate: _tls.Certificate);
        await using var _a = a;

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(Data(await ReserveOkAsync(ada.Token, "a.png")).GetProperty("put_location").GetString()!, Png)).Status);
        await a.OkAsync("chat_upload", new { filename = "b.png" });
        var (status, body) = await ReserveAsync(ada.Token, "c.png");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.False(JsonDocument.Parse(body).RootElement.GetProperty("success").GetBoolean());
        Assert.StartsWith("this participant's files in chat have reached their quota of 131072 bytes", Message(body), StringComparison.Ordinal);
        var channel = await a.RequestAsync("chat_upload", new { filename = "c.png" });
        Assert.Equal(("error", 413), (channel.GetProperty("type").GetString(), channel.GetProperty("code").GetInt32()));
    }

    [Fact]
    public async Task LinksAreOnTheServersConfiguredHostsWhateverHostTheClientNamed()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada");
        var bob = await _api.AddParticipantAsync(meeting, "bob");
        var (a, _) = await MeetingHelpers.JoinAsync(_server.HttpBase, ada, certificate: _tls.Certificate);
        await using var _a = a;

        // The channel's socket came in as evil.example: every peer shown the message would be sent there.
        await using var b = await RealtimeTestClient.ConnectAsync($"https://evil.example:{HttpsPort}", bob.Token, invoker: new HttpMessageInvoker(ToThisServer()));
        await b.OkAsync("join");
        var upload = await b.OkAsync("chat_upload", new { filename = "b.png" });
        Assert.StartsWith($"{_server.HttpBase}/chat-uploads/", upload.GetProperty("upload_url").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"{_server.HttpBase}/chat-files/", upload.GetProperty("link").GetString(), StringComparison.Ordinal);

        // RealtimeKit's api. host: its name is the only one served, and the port is the one the call came in on, not the Host header's.
        var reserved = Data(await ReserveOkAsync(ada.Token, "a.png", host: $"api.{RealtimeKitBrowser.Domain}:1"));
        Assert.StartsWith($"https://api.{RealtimeKitBrowser.Domain}:{HttpsPort}/chat-uploads/", reserved.GetProperty("put_location").GetString(), StringComparison.Ordinal);
        Assert.StartsWith($"https://api.{RealtimeKitBrowser.Domain}:{HttpsPort}/chat-files/", reserved.GetProperty("get_location").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await ReserveAsync(ada.Token, "a.png", host: $"evil.example:{HttpsPort}")).Status);
    }

    /// <summary>Connections to any name (evil.example) reach this server, on loopback.</summary>
    private SocketsHttpHandler ToThisServer() => new()
    {
        ConnectCallback = async (_, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, HttpsPort, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
        SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _tls.Certificate.Thumbprint },
    };

    private static JsonElement Data(string body) => JsonDocument.Parse(body).RootElement.GetProperty("data");

    private static string Message(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString()!;

    private async Task<string> ReserveOkAsync(string token, string fileName, string? host = null)
    {
        var (status, body) = await ReserveAsync(token, fileName, host);
        Assert.True(status == HttpStatusCode.OK, body);
        return body;
    }

    private async Task<(HttpStatusCode Status, string Body)> ReserveAsync(string token, string fileName, string? host = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_server.HttpBase}/v2/meetings/chat-upload")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { filename = fileName }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Host = host ?? $"api.{RealtimeKitBrowser.Domain}:{HttpsPort}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _https.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>PUTs the bytes to an upload link the server handed out, sent to the server with the link's Host.</summary>
    private async Task<(HttpStatusCode Status, string Body)> PutAsync(string link, byte[] bytes)
    {
        var uri = new Uri(link);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"{_server.HttpBase}{uri.PathAndQuery}") { Content = new ByteArrayContent(bytes) };
        request.Headers.Host = uri.Authority;
        using var response = await _https.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
