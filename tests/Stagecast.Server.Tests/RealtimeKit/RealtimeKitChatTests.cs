using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Chat = Stagecast.RealtimeKit.Protocol.Chat;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Files and images in chat as RealtimeKit's client sends them: <c>POST /v2/meetings/chat-upload</c>, a PUT of the
/// bytes to <c>put_location</c>, then a chat message carrying <c>get_location</c>. Uploads and downloads only through
/// signed links that expire (the server's clock is a fake one here), within the size and type limits; a message may
/// only name its sender's own file of its own meeting. Private messages (<c>chat.sendMessageToPeers</c>) reach their
/// recipients and sender only, live and in history.
/// </summary>
public sealed class RealtimeKitChatTests : IAsyncLifetime
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");
    private readonly TlsFiles _tls = new(RealtimeKitBrowser.Domain);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private ServerFixture _server = null!;
    private HttpClient _https = null!;
    private StagecastApiClient _api = null!;

    private int HttpsPort => new Uri(_server.HttpBase).Port;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync([.. _tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain, "--set", "Stagecast:Chat:MaxFileBytes=1000"],
            builder => builder.Services.AddSingleton<TimeProvider>(_clock));
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
    public async Task AnUploadedImageDownloadsOnlyThroughItsSignedLinkUntilItExpires()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token); // files are sent by those in a live session

        var (put, get) = await ReserveAsync(ada.Token, "cat.png");
        Assert.StartsWith($"https://api.{RealtimeKitBrowser.Domain}:{HttpsPort}/chat-uploads/", put, StringComparison.Ordinal);
        Assert.StartsWith($"https://api.{RealtimeKitBrowser.Domain}:{HttpsPort}/chat-files/", get, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, get)).Status); // reserved, not uploaded yet
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Put, put.Split('?')[0], Png)).Status); // unsigned
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Put, put, Png, "text/html")).Status); // not the reserved type
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, put, Png, "image/png")).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(HttpMethod.Put, put, Png, "image/png")).Status); // once

        var download = await SendAsync(HttpMethod.Get, get);
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal(Png, download.Bytes);
        Assert.Equal("image/png", download.ContentType);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, get.Split('?')[0])).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, get.Replace("signature=", "signature=x", StringComparison.Ordinal))).Status);
        var forbidden = await SendAsync(HttpMethod.Get, get.Replace("cat.png", "dog.png", StringComparison.Ordinal)); // the name is signed too
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal("this download link is invalid or has expired", JsonDocument.Parse(forbidden.Bytes).RootElement.GetProperty("error").GetProperty("message").GetString());

        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Get, get)).Status);
    }

    [Theory]
    [InlineData("my cat.png")]
    [InlineData("é.pdf")]
    public async Task AFileWhoseNameNeedsEscapingDownloadsThroughItsLink(string fileName)
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token);
        var (put, get) = await ReserveAsync(ada.Token, fileName);
        Assert.Contains($"/{Uri.EscapeDataString(fileName)}?", get, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, put, Png)).Status);

        var download = await SendAsync(HttpMethod.Get, get);
        Assert.Equal(HttpStatusCode.OK, download.Status);
        Assert.Equal(Png, download.Bytes);
    }

    [Fact]
    public async Task UploadsAreRefusedPastTheSizeForTheWrongTypeOrWithoutChat()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token);
        var (put, _) = await ReserveAsync(ada.Token, "notes.txt");
        var tooLarge = await SendAsync(HttpMethod.Put, put, new byte[1001], "text/plain");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.Status);
        Assert.Contains("at most 1000 bytes", Encoding.UTF8.GetString(tooLarge.Bytes), StringComparison.Ordinal);

        var script = await CallAsync("/v2/meetings/chat-upload", ada.Token, """{"roomUUID":"x","filename":"evil.html"}""");
        Assert.Equal(HttpStatusCode.BadRequest, script.Status);
        Assert.Contains("does not take files of type \\\".html\\\"", script.Body, StringComparison.Ordinal);

        (await _api.PostAsync("/presets", """{"name":"mute_chat","permissions":{"chat":{"public":{"can_send":false},"private":{"can_send":false}}}}""")).EnsureOk();
        var mute = await _api.AddParticipantAsync(meeting, "mute", "mute_chat");
        await using var muteSocket = await JoinAsync(mute.Token);
        var muted = await CallAsync("/v2/meetings/chat-upload", mute.Token, """{"filename":"a.png"}""");
        Assert.Equal(HttpStatusCode.Forbidden, muted.Status);
        Assert.Contains("chat.public.files", muted.Body, StringComparison.Ordinal);

        var (expiring, _) = await ReserveAsync(ada.Token, "late.png", expirySeconds: 60);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Put, expiring, Png, "image/png")).Status);
    }

    [Fact]
    public async Task AnImageMessageReachesTheOthersWithALinkThatDownloadsAndNamesOnlyTheSendersOwnFile()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await _api.AddParticipantAsync(meeting, "bob", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);

        var (put, get) = await ReserveAsync(ada.Token, "cat.png");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, put, Png, "image/png")).Status);

        // Bob may not pass Ada's file off as his, nor name a file nobody uploaded.
        var stolen = await bobSocket.RequestAsync(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { PayloadType = 1, Payload = get });
        Assert.True(RealtimeKitSocketClient.IsError(stolen));
        var (_, unsent) = await ReserveAsync(ada.Token, "empty.png");
        Assert.True(RealtimeKitSocketClient.IsError(await adaSocket.RequestAsync(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { PayloadType = 1, Payload = unsent })));

        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { PayloadType = 1, Payload = get }, out var sent);
        await sent;
        var pushed = await bobSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom);
        var message = Chat.SendChatMessageToRoomResponse.Parser.ParseFrom(pushed.Payload).Message;
        Assert.Equal(1, message.PayloadType);
        Assert.Equal(Png, (await SendAsync(HttpMethod.Get, message.Payload)).Bytes);

        // A file message: {link, name, size}; the history carries both, signed as it is sent.
        var (putNotes, getNotes) = await ReserveAsync(ada.Token, "notes.txt");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, putNotes, "minutes"u8.ToArray(), "text/plain")).Status);
        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { PayloadType = 2, Payload = $$"""{"link":"{{getNotes}}","name":"notes.txt","size":7}""" }, out sent);
        await sent;
        await bobSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom && Chat.SendChatMessageToRoomResponse.Parser.ParseFrom(m.Payload).Message.PayloadType == 2);
        var history = Chat.GetChatMessagesResponse.Parser.ParseFrom((await bobSocket.RequestAsync(Events.Chat.GetMessages, ByteString.Empty)).Payload).Messages;
        Assert.Equal([1, 2], history.Select(m => m.PayloadType));
        Assert.Equal(Png, (await SendAsync(HttpMethod.Get, history[0].Payload)).Bytes);
        var file = JsonDocument.Parse(history[1].Payload).RootElement;
        Assert.Equal(("notes.txt", 7), (file.GetProperty("name").GetString(), file.GetProperty("size").GetInt32()));
        var notes = await SendAsync(HttpMethod.Get, file.GetProperty("link").GetString()!);
        Assert.Equal(("minutes", "application/octet-stream"), (Encoding.UTF8.GetString(notes.Bytes), notes.ContentType));
    }

    [Fact]
    public async Task TheChannelAndTheExportShowAFileMessageAsALinkThatDownloadsWithoutTheStoredRecord()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var carol = await _api.AddParticipantAsync(meeting, "carol", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var carolChannel = await RealtimeTestClient.ConnectAsync(_server.HttpBase, carol.Token, _tls.Certificate);
        string session = (await carolChannel.OkAsync("join")).GetProperty("meeting").GetProperty("session_id").GetString()!;

        var (put, get) = await ReserveAsync(ada.Token, "cat.png");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, put, Png, "image/png")).Status);
        var (putNotes, getNotes) = await ReserveAsync(ada.Token, "notes.txt");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, putNotes, "minutes"u8.ToArray(), "text/plain")).Status);
        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { PayloadType = 1, Payload = get }, out var sent);
        await sent;
        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { PayloadType = 2, Payload = $$"""{"link":"{{getNotes}}"}""" }, out sent);
        await sent;

        var image = (await carolChannel.WaitForEventAsync("chat_message", m => m.GetProperty("message").GetProperty("type").GetString() == "image")).GetProperty("message");
        var file = (await carolChannel.WaitForEventAsync("chat_message", m => m.GetProperty("message").GetProperty("type").GetString() == "file")).GetProperty("message");
        Assert.Equal(Png, (await SendAsync(HttpMethod.Get, image.GetProperty("text").GetString()!)).Bytes);
        var shown = JsonDocument.Parse(file.GetProperty("text").GetString()!).RootElement;
        Assert.Equal(("notes.txt", 7), (shown.GetProperty("name").GetString(), shown.GetProperty("size").GetInt32()));
        Assert.Equal("minutes"u8.ToArray(), (await SendAsync(HttpMethod.Get, shown.GetProperty("link").GetString()!)).Bytes);
        foreach (var text in new[] { image.GetProperty("text").GetString()!, file.GetProperty("text").GetString()! })
        {
            Assert.DoesNotContain(meeting, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ada.Id, text, StringComparison.Ordinal);
        }

        string url = (await _api.GetAsync($"/sessions/{session}/chat")).EnsureOk().Data.GetProperty("chat_download_url").GetString()!;
        string[] rows = Encoding.UTF8.GetString((await SendAsync(HttpMethod.Get, url)).Bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, rows.Length);
        string imageLink = rows[1].Split(',')[8];
        Assert.StartsWith($"https://api.{RealtimeKitBrowser.Domain}:{HttpsPort}/chat-files/", imageLink, StringComparison.Ordinal);
        Assert.Equal(Png, (await SendAsync(HttpMethod.Get, imageLink)).Bytes);
        Assert.Contains("notes.txt", rows[2], StringComparison.Ordinal);
        Assert.All(rows[1..], row => Assert.DoesNotContain("MeetingId", row, StringComparison.Ordinal));
    }

    [Fact]
    public async Task APrivateMessageReachesOnlyItsRecipientAndSenderNowAndInHistory()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await _api.AddParticipantAsync(meeting, "bob", "group_call_host");
        var carol = await _api.AddParticipantAsync(meeting, "carol", "group_call_host");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var carolSocket = await JoinAsync(carol.Token);

        // Others are known by the ids the room gave them; the SDK adds the sender's own.
        string bobPeer = await adaSocket.PeerIdOfAsync(bob.Id);
        adaSocket.Send(Events.Chat.SendMessageToPeers, new Chat.SendChatMessageToPeersRequest { PeerIds = { bobPeer, adaSocket.PeerId }, Payload = "psst" }, out var sent);
        await sent;
        adaSocket.Send(Events.Chat.SendMessageToRoom, new Chat.SendChatMessageToRoomRequest { Payload = "hello all" }, out sent);
        await sent;
        foreach (var socket in new[] { adaSocket, bobSocket })
        {
            var pushed = await socket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToPeers);
            var message = Chat.SendChatMessageToPeersResponse.Parser.ParseFrom(pushed.Payload).Message;
            Assert.Equal("psst", message.Payload);
            Assert.Equal(new[] { bob.Id, ada.Id }.Order(), message.TargetUserIds.Order());
        }

        await carolSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToRoom); // the public one, sent after
        Assert.DoesNotContain(carolSocket.Received, m => m.Event == Events.Chat.SendMessageToPeers);
        Assert.Equal(["hello all"], await HistoryAsync(carolSocket));
        Assert.Equal(["psst", "hello all"], await HistoryAsync(bobSocket));

        // Nobody outside the meeting can be named.
        var elsewhere = await _api.AddParticipantAsync(await _api.CreateMeetingAsync(), "dan", "group_call_host");
        await using var danSocket = await JoinAsync(elsewhere.Token);
        Assert.True(RealtimeKitSocketClient.IsError(await adaSocket.RequestAsync(Events.Chat.SendMessageToPeers, new Chat.SendChatMessageToPeersRequest { PeerIds = { danSocket.PeerId }, Payload = "x" })));
        Assert.DoesNotContain(danSocket.Received, m => m.Event is Events.Chat.SendMessageToPeers or Events.Chat.SendMessageToRoom);
    }

    [Fact]
    public async Task TheServerHoldsChatToThePresetsScopesThoughAClientSendsAnyway()
    {
        // The SDK checks chat.private and chat.*.files before it sends; a client that sends anyway meets the same rules here.
        (await _api.PostAsync("/presets", """{"name":"no_files","permissions":{"chat":{"public":{"files":false},"private":{"can_send":false,"can_receive":false,"files":false}}}}""")).EnsureOk();
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var vic = await _api.AddParticipantAsync(meeting, "vic", "webinar_viewer");
        var nof = await _api.AddParticipantAsync(meeting, "nof", "no_files");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var vicSocket = await JoinAsync(vic.Token);
        await using var nofSocket = await JoinAsync(nof.Token);
        // Each client names the others by the ids the room gave them.
        string adaPeer = await vicSocket.PeerIdOfAsync(ada.Id);
        var (vicPeer, nofPeer) = (await adaSocket.PeerIdOfAsync(vic.Id), await adaSocket.PeerIdOfAsync(nof.Id));

        // A viewer may be written to privately, but not write (private.can_send); a preset closed to private chat is not written to.
        var reply = await vicSocket.RequestAsync(Events.Chat.SendMessageToPeers, new Chat.SendChatMessageToPeersRequest { PeerIds = { adaPeer }, Payload = "psst" });
        Assert.Contains("chat.private.can_send", RealtimeKitMediaClient.ErrorOf(reply));
        reply = await adaSocket.RequestAsync(Events.Chat.SendMessageToPeers, new Chat.SendChatMessageToPeersRequest { PeerIds = { nofPeer }, Payload = "psst" });
        Assert.Contains("chat.private.can_receive", RealtimeKitMediaClient.ErrorOf(reply));

        // Without files anywhere, no upload is reserved.
        var (status, body) = await CallAsync("/v2/meetings/chat-upload", nof.Token, """{"roomUUID":"session","filename":"a.png"}""");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("chat.public.files", body, StringComparison.Ordinal);

        // Nothing refused reached anyone: the one message sent after them is the first anyone hears.
        adaSocket.Send(Events.Chat.SendMessageToPeers, new Chat.SendChatMessageToPeersRequest { PeerIds = { vicPeer }, Payload = "hello vic" }, out var sent);
        await sent;
        var heard = await vicSocket.WaitForAsync(m => m.Event == Events.Chat.SendMessageToPeers);
        Assert.Equal("hello vic", Chat.SendChatMessageToPeersResponse.Parser.ParseFrom(heard.Payload).Message.Payload);
        Assert.Equal(["hello vic"], await HistoryAsync(vicSocket));
        Assert.Empty(await HistoryAsync(nofSocket));
        Assert.DoesNotContain(adaSocket.Received, m => m.Event == Events.Chat.SendMessageToPeers && Chat.SendChatMessageToPeersResponse.Parser.ParseFrom(m.Payload).Message.Payload == "psst");
    }

    private static async Task<string[]> HistoryAsync(RealtimeKitSocketClient socket) =>
        [.. Chat.GetChatMessagesResponse.Parser.ParseFrom((await socket.RequestAsync(Events.Chat.GetMessages, ByteString.Empty)).Payload).Messages.Select(m => m.Payload)];

    private async Task<RealtimeKitSocketClient> JoinAsync(string token)
    {
        var socket = await RealtimeKitSocketClient.ConnectAsync(HttpsPort, _tls.Certificate, token);
        Assert.False(RealtimeKitSocketClient.IsError(await socket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())));
        return socket;
    }

    private async Task<(string Put, string Get)> ReserveAsync(string token, string fileName, int? expirySeconds = null)
    {
        string expiry = expirySeconds is { } seconds ? $",\"expiry\":{seconds}" : "";
        var (status, body) = await CallAsync("/v2/meetings/chat-upload", token, $$"""{"roomUUID":"session","filename":"{{fileName}}"{{expiry}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var data = JsonDocument.Parse(body).RootElement.GetProperty("data");
        return (data.GetProperty("put_location").GetString()!, data.GetProperty("get_location").GetString()!);
    }

    private async Task<(HttpStatusCode Status, string Body)> CallAsync(string path, string token, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_server.HttpBase}{path}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Host = $"api.{RealtimeKitBrowser.Domain}:{HttpsPort}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _https.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A request to a link the server handed out (on its <c>api.</c> host), sent to the server with that Host.</summary>
    private async Task<(HttpStatusCode Status, byte[] Bytes, string? ContentType)> SendAsync(HttpMethod method, string link, byte[]? body = null, string? contentType = null)
    {
        var uri = new Uri(link);
        using var request = new HttpRequestMessage(method, $"{_server.HttpBase}{uri.PathAndQuery}");
        request.Headers.Host = uri.Authority;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        }

        using var response = await _https.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType);
    }
}
