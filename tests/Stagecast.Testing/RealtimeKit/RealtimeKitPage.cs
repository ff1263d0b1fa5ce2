using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Stagecast.Testing.RealtimeKit;

/// <summary>
/// One app page (tests/realtimekit/app.html) running one client of RealtimeKit's unmodified SDK, driven through
/// Playwright. Each method calls the SDK's public API in the page; a call the SDK rejects throws
/// <see cref="RealtimeKitException"/>. Every request the page makes (<see cref="Requests"/>) and every WebSocket frame it
/// sends or receives (<see cref="Frames"/>) is kept, for tests to look at what went over the wire.
/// </summary>
public sealed class RealtimeKitPage
{
    /// <summary>A hang guard only: the SDK's own calls time out well before.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(90);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentQueue<IRequest> _requests = new();
    private readonly ConcurrentQueue<SocketFrame> _frames = new();

    private RealtimeKitPage()
    {
    }

    public IPage Page { get; private set; } = null!;

    /// <summary>The requests the page made so far, in order (REST to api.*, telemetry, the page's own files).</summary>
    public IReadOnlyList<IRequest> Requests => [.. _requests];

    /// <summary>The WebSocket frames the page sent and received so far, in order.</summary>
    public IReadOnlyList<SocketFrame> Frames => [.. _frames];

    internal static async Task<RealtimeKitPage> OpenAsync(Browser browser, string sdkVersion, bool relayOnly, bool tone)
    {
        var page = new RealtimeKitPage();
        page.Page = await browser.OpenAsync($"app.html?sdk={sdkVersion}{(relayOnly ? "&relay=1" : "")}{(tone ? "&tone=1" : "")}", page.Record);
        return page;
    }

    /// <summary><c>RealtimeKitClient.init</c>, with the fake camera and microphone on unless <paramref name="media"/> is false; returns meeting.self.</summary>
    public Task<RtkSelf> InitAsync(string authToken, string baseUri, bool media = true) => CallAsync<RtkSelf>("init", authToken, baseUri, media);

    /// <summary>
    /// <c>RealtimeKitClient.init</c> without media, offering one plugin (<paramref name="pluginId"/>): the web app at
    /// <paramref name="url"/>, in a frame carried by Stagecast's <c>/sdk/rtk-plugin-frame.js</c>, on the page while active.
    /// </summary>
    public Task<RtkSelf> InitWithPluginAsync(string authToken, string baseUri, string pluginId, string url) =>
        CallAsync<RtkSelf>("init", authToken, baseUri, false, new[] { new { id = pluginId, name = pluginId, url } });

    public Task ActivatePluginAsync(string pluginId) => CallAsync("activatePlugin", pluginId);

    public Task DeactivatePluginAsync(string pluginId) => CallAsync("deactivatePlugin", pluginId);

    /// <summary>SDK 1.5.x: shows each of the app's registered plugins in a frame of its own while it is active (<c>addPluginView</c>).</summary>
    public Task ShowPluginViewsAsync() => CallAsync("showPluginViews");

    /// <summary>SDK 1.5.x: activates one of the app's registered plugins (<c>POST /plugins</c>) by its id.</summary>
    public Task ActivateRegisteredPluginAsync(string pluginId) => CallAsync("activateRegisteredPlugin", pluginId);

    public Task DeactivateRegisteredPluginAsync(string pluginId) => CallAsync("deactivateRegisteredPlugin", pluginId);

    /// <summary>The plugins active on this page (by the app's ids), and how many plugin frames it shows.</summary>
    public Task<RtkPlugins> PluginsAsync() => CallAsync<RtkPlugins>("plugins");

    /// <summary><c>meeting.join</c>; a join the SDK gives up on names the socket's last frames, each way, with their times.</summary>
    public async Task JoinAsync()
    {
        try
        {
            await CallAsync("join");
        }
        catch (RealtimeKitException ex)
        {
            string frames = string.Join("\n", Frames.TakeLast(40));
            throw new RealtimeKitException(ex.Call, ex.Name, ex.Code, ex.SdkMessage, $"at {TimeProvider.System.GetUtcNow():HH:mm:ss.fff}, the socket's last frames:\n{frames}");
        }
    }

    public Task LeaveAsync() => CallAsync("leave");

    public Task<RtkState> StateAsync() => CallAsync<RtkState>("state");

    /// <summary>Waits until the client's state matches; returns that state. One that never does names the last state and the socket's last frames.</summary>
    public Task<RtkState> WaitForStateAsync(Func<RtkState, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(StateAsync, condition, what, timeout,
            state => $"{JsonSerializer.Serialize(state, Json)}\nthe socket's last frames:\n{string.Join("\n", Frames.TakeLast(30))}");

    public Task SendTextAsync(string text) => CallAsync("sendText", text);

    /// <summary>participants.broadcastMessage(type, payload): an app message to the meeting.</summary>
    public Task BroadcastAsync(string type, object payload) => CallAsync("broadcast", type, payload);

    public Task CreatePollAsync(string question, string[] options, bool anonymous = false, bool hideVotes = false) =>
        CallAsync("createPoll", question, options, anonymous, hideVotes);

    public Task VoteAsync(string pollId, int index) => CallAsync("vote", pollId, index);

    public Task EnableVideoAsync() => CallAsync("enableVideo");

    public Task DisableVideoAsync() => CallAsync("disableVideo");

    public Task EnableAudioAsync() => CallAsync("enableAudio");

    /// <summary>meeting.self.enableScreenShare(): the browser's screen capture (Chromium's fake one in tests) goes out as video and audio.</summary>
    public Task EnableScreenShareAsync() => CallAsync("enableScreenShare");

    public Task DisableScreenShareAsync() => CallAsync("disableScreenShare");

    /// <summary>
    /// Shows every participant's video that comes from now on in a tile of this size from the start (call it before
    /// joining): the SDK measures the tile with the full layer coming and asks for no other.
    /// </summary>
    public Task ShowVideosAsync(int width, int height) => CallAsync("showVideos", width, height);

    /// <summary>Shows participant <paramref name="id"/>'s video in a tile of this size (the SDK picks a simulcast layer to suit it).</summary>
    public Task ShowVideoAsync(string id, int width, int height) => CallAsync("showVideo", id, width, height);

    /// <summary>Turns the camera's simulcast layer <paramref name="rid"/> off or on in the browser (RTCRtpSender.setParameters), the SDK none the wiser.</summary>
    public Task SendLayerAsync(string rid, bool active) => CallAsync("sendLayer", rid, active);

    public Task DisableAudioAsync() => CallAsync("disableAudio");

    /// <summary>meeting.livestream.start(): only in the LIVESTREAM view type, with the can_livestream permission.</summary>
    public Task StartLivestreamAsync() => CallAsync("startLivestream");

    public Task StopLivestreamAsync() => CallAsync("stopLivestream");

    public Task StartRecordingAsync() => CallAsync("startRecording");

    public Task StopRecordingAsync() => CallAsync("stopRecording");

    /// <summary>A host lets a waiting participant in (an id from <see cref="RtkState.Waitlisted"/>).</summary>
    public Task AcceptWaitingAsync(string waiterId) => CallAsync("acceptWaiting", waiterId);

    public Task DenyWaitingAsync(string waiterId) => CallAsync("denyWaiting", waiterId);

    /// <summary>A host removes a joined participant (its peer id, <see cref="RtkParticipant.Id"/>).</summary>
    public Task KickAsync(string participantId) => CallAsync("kick", participantId);

    /// <summary>A host changes the permissions of these participants (by peer id) for the session: <paramref name="patch"/> as the SDK takes it (camelCase).</summary>
    public Task UpdatePermissionsAsync(string[] participantIds, object patch) => CallAsync("updatePermissions", participantIds, patch);

    /// <summary>What this participant's SDK holds of its own permissions now, and how many changes it was told of.</summary>
    public Task<RtkPermissions> PermissionsAsync() => CallAsync<RtkPermissions>("permissions");

    /// <summary>A host removes every other participant (meeting.participants.kickAll()).</summary>
    public Task KickAllAsync() => CallAsync("kickAll");

    /// <summary>meeting.stage.requestAccess().</summary>
    public Task RequestStageAsync() => CallAsync("requestStage");

    public Task CancelStageRequestAsync() => CallAsync("cancelStageRequest");

    /// <summary>meeting.stage.getAccessRequests(), as the user ids asking.</summary>
    public Task<IReadOnlyList<string>> StageRequestsAsync() => CallAsync<IReadOnlyList<string>>("stageRequests");

    public Task GrantStageAsync(params string[] userIds) => CallAsync("grantStage", [userIds]);

    public Task DenyStageAsync(params string[] userIds) => CallAsync("denyStage", [userIds]);

    public Task JoinStageAsync() => CallAsync("joinStage");

    public Task LeaveStageAsync() => CallAsync("leaveStage");

    public Task KickFromStageAsync(params string[] userIds) => CallAsync("kickFromStage", [userIds]);

    /// <summary>A host turns a participant's microphone off (participant.disableAudio(), media event 93).</summary>
    public Task DisableParticipantAudioAsync(string participantId) => CallAsync("disableParticipantAudio", participantId);

    /// <summary>Each participant's current video track (a number per track object, 0 for none) and the frames decoded of it.</summary>
    public Task<IReadOnlyList<RtkVideo>> CurrentVideoAsync() => CallAsync<IReadOnlyList<RtkVideo>>("currentVideo");

    /// <summary>The audio bytes received over every connection the SDK made.</summary>
    public Task<long> AudioBytesReceivedAsync() => CallAsync<long>("audioBytesReceived");

    /// <summary>The candidate type (host, srflx, relay) of the selected pair of each of the SDK's connected connections.</summary>
    public Task<IReadOnlyList<string>> SelectedCandidateTypesAsync() => CallAsync<IReadOnlyList<string>>("selectedCandidateTypes");

    /// <summary>The media the page's connections received so far, from their statistics (<see cref="RtkMediaStats"/>).</summary>
    public Task<RtkMediaStats> MediaStatsAsync() => CallAsync<RtkMediaStats>("mediaStats");

    /// <summary>The video the page's connections send, one row per encoding (<see cref="RtkVideoSent"/>).</summary>
    public Task<IReadOnlyList<RtkVideoSent>> VideoSentAsync() => CallAsync<IReadOnlyList<RtkVideoSent>>("videoSent");

    /// <summary>meeting.connectedMeetings' state: the parent and its breakout rooms, with who is in each.</summary>
    public Task<RtkConnectedMeetings> ConnectedMeetingsAsync() => CallAsync<RtkConnectedMeetings>("connectedMeetings");

    /// <summary>connectedMeetings.createMeetings: breakout rooms of these titles.</summary>
    public Task<IReadOnlyList<RtkCreatedMeeting>> CreateMeetingsAsync(params string[] titles) => CallAsync<IReadOnlyList<RtkCreatedMeeting>>("createMeetings", (object)titles);

    /// <summary>connectedMeetings.moveParticipants: these participants (ids in <paramref name="from"/>) to meeting <paramref name="to"/>.</summary>
    public Task MoveParticipantsAsync(string from, string to, params string[] userIds) => CallAsync("moveParticipants", from, to, userIds);

    /// <summary>connectedMeetings.deleteMeetings: closes these breakout rooms.</summary>
    public Task DeleteMeetingsAsync(params string[] ids) => CallAsync("deleteMeetings", (object)ids);

    /// <summary>Loads the UI kit's module (served as ES modules) until &lt;rtk-meeting&gt; is defined.</summary>
    public Task LoadUiKitAsync() => CallAsync("loadUiKit");

    /// <summary>Shows &lt;rtk-meeting&gt; over the initialised client with showSetupScreen=false: it joins by itself.</summary>
    public Task OpenUiKitAsync() => CallAsync("openUiKit");

    public Task<RtkUiKit> UiKitAsync() => CallAsync<RtkUiKit>("uiKit");

    /// <summary>meeting.chat.sendImageMessage of a PNG drawn in the page, <paramref name="width"/> by <paramref name="height"/>.</summary>
    public Task SendImageAsync(int width, int height) => CallAsync("sendImage", width, height);

    /// <summary>Opens the chat in &lt;rtk-meeting&gt;'s sidebar (its control bar's chat button).</summary>
    public Task OpenUiKitChatAsync() => CallAsync("openUiKitChat");

    /// <summary>The pictures of image messages the UI kit's chat shows, each with the width it decoded to (0 until it has).</summary>
    public Task<IReadOnlyList<RtkImage>> UiKitChatImagesAsync() => CallAsync<IReadOnlyList<RtkImage>>("uiKitChatImages");

    /// <summary>Places the UI kit's list of stage requests (&lt;rtk-participants-stage-queue&gt;) on the page, over the initialised client.</summary>
    public Task OpenStageQueueAsync() => CallAsync("openStageQueue");

    /// <summary>The names the UI kit's stage request list shows.</summary>
    public Task<IReadOnlyList<string>> StageQueueAsync() => CallAsync<IReadOnlyList<string>>("stageQueue");

    /// <summary>Clicks the accept button of <paramref name="name"/>'s request in the UI kit's list.</summary>
    public Task AcceptInStageQueueAsync(string name) => CallAsync("acceptInStageQueue", name);

    /// <summary>Waits for the page to have made a request with this method to this path (on any host); returns it.</summary>
    public Task<IRequest> WaitForRequestAsync(string method, string path, TimeSpan? timeout = null) =>
        Eventually.MatchAsync(() => _requests.FirstOrDefault(r => r.Method == method && new Uri(r.Url).AbsolutePath == path), r => r is not null,
            $"the page to request {method} {path}", timeout, _ => string.Join(", ", _requests.Select(r => $"{r.Method} {r.Url}")))!;

    private void Record(IPage page)
    {
        page.Request += (_, request) => _requests.Enqueue(request);
        page.WebSocket += (_, socket) =>
        {
            socket.FrameSent += (_, frame) => _frames.Enqueue(SocketFrame.Of(true, socket.Url, frame));
            socket.FrameReceived += (_, frame) => _frames.Enqueue(SocketFrame.Of(false, socket.Url, frame));
        };
    }

    private async Task<T> CallAsync<T>(string function, params object[] args) =>
        (await CallAsync(function, args)).Deserialize<T>(Json) ?? throw new InvalidOperationException($"{function} answered nothing");

    private async Task<JsonElement> CallAsync(string function, params object[] args)
    {
        var answer = await Page.EvaluateAsync<JsonElement>("([f, a]) => call(f, a)", new object[] { function, args }).WaitAsync(CallTimeout);
        if (answer.TryGetProperty("error", out var error))
        {
            throw new RealtimeKitException(function, error.GetProperty("name").GetString()!, error.GetProperty("code").GetString(), error.GetProperty("message").GetString()!);
        }

        return answer.GetProperty("value");
    }
}
