using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Client;

/// <summary>
/// The client module's chat files (<c>meeting.chat.sendImageMessage</c>, <c>sendFileMessage</c>) and plugins
/// (<c>meeting.plugins</c>, Stagecast's shared notes pad, framed sandboxed, and never a web app that is not https:) in
/// real Chromium pages, as an app would use them.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class ClientModuleFilesAndPluginsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>A 4 by 3 PNG.</summary>
    internal const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR4nGP4z8AARww4OQD1MQv1NXv7ggAAAABJRU5ErkJggg==";

    [Fact]
    public async Task APictureAndAFileSentByOneClientReachTheOtherWithTheirLinkNameAndSize()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync();
        var a = await ModulePage.StartAsync(browser, server.HttpBase, ada.Token, "Ada");
        var b = await ModulePage.StartAsync(browser, server.HttpBase, bob.Token, "Bob");

        await a.CallAsync($"meeting.chat.sendImageMessage(new File([Uint8Array.from(atob('{PngBase64}'), c => c.charCodeAt(0))], 'dot.png', {{ type: 'image/png' }}))");
        var image = await Eventually.MatchAsync(() => b.Page.EvaluateAsync<JsonElement>("() => meeting.chat.messages.find(m => m.type === 'image') ?? null"),
            m => m.ValueKind == JsonValueKind.Object, "Bob's module to get Ada's picture");
        Assert.True(image.GetProperty("name").GetString() == "dot.png", image.ToString());
        Assert.Equal(Convert.FromBase64String(PngBase64).Length, image.GetProperty("size").GetInt32());
        Assert.Equal("", image.GetProperty("message").GetString());
        int width = await b.Page.EvaluateAsync<int>("""
            async link => { const img = new Image(); img.src = link; await img.decode(); return img.naturalWidth; }
            """, image.GetProperty("link").GetString());
        Assert.Equal(4, width);

        await a.CallAsync("meeting.chat.sendFileMessage(new File(['the minutes'], 'minutes.txt', { type: 'text/plain' }))");
        var file = await Eventually.MatchAsync(() => b.Page.EvaluateAsync<JsonElement>("() => meeting.chat.messages.find(m => m.type === 'file') ?? null"),
            m => m.ValueKind == JsonValueKind.Object, "Bob's module to get Ada's file");
        Assert.Equal("minutes.txt", file.GetProperty("name").GetString());
        Assert.Equal(11, file.GetProperty("size").GetInt32());
        Assert.Equal("the minutes", await b.Page.EvaluateAsync<string>("async link => (await fetch(link)).text()", file.GetProperty("link").GetString()));

        // Not a picture: sendImageMessage refuses it before uploading; a type chat does not take is the server's 400.
        var refused = await a.Page.EvaluateAsync<JsonElement>("e => call(e)", "meeting.chat.sendImageMessage(new File(['x'], 'x.txt', { type: 'text/plain' }))");
        Assert.Equal(400, refused.GetProperty("code").GetInt32());
        refused = await a.Page.EvaluateAsync<JsonElement>("e => call(e)", "meeting.chat.sendFileMessage(new File(['x'], 'x.html', { type: 'text/html' }))");
        Assert.Equal(400, refused.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task AHostOpensTheNotesPadANoteShowsInTheOthersFrameALateJoinerFindsItOpenAndClosingClosesItEverywhere()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var carl = await api.AddParticipantAsync(meeting, "carl", "group_call_participant");
        await using var browser = await Browser.LaunchAsync();
        var a = await ModulePage.StartAsync(browser, server.HttpBase, ada.Token, "Ada");
        var b = await ModulePage.StartAsync(browser, server.HttpBase, bob.Token, "Bob");
        const string Frames = """
            () => {
              const show = plugin => {
                if (document.getElementById(`frame-${plugin.id}`)) return;
                const frame = Object.assign(document.createElement('iframe'), { id: `frame-${plugin.id}`, title: plugin.name });
                document.body.append(frame);
                plugin.addPluginView(frame);
              };
              meeting.plugins.active.toArray().forEach(show);
              meeting.plugins.active.on('pluginAdded', show);
              meeting.plugins.active.on('pluginDeleted', plugin => { plugin.removePluginView(); document.getElementById(`frame-${plugin.id}`)?.remove(); });
            }
            """;
        await a.Page.EvaluateAsync(Frames);
        await b.Page.EvaluateAsync(Frames);

        // Stagecast's notes pad is there for both; the host may open it.
        await Eventually.TrueAsync(async () => await a.Page.EvaluateAsync<bool>("() => meeting.plugins.all.get('stagecast-notes')?.canStart === true"), "the notes pad in Ada's list");
        await a.CallAsync("meeting.plugins.activate('stagecast-notes')");
        await Eventually.TrueAsync(async () => await b.Page.EvaluateAsync<bool>("() => meeting.plugins.active.get('stagecast-notes')?.active === true"), "the notes pad open for Bob");
        Assert.Equal(await a.SelfIdAsync(), await b.Page.EvaluateAsync<string>("() => meeting.plugins.active.get('stagecast-notes').enabledBy"));

        // What Ada types in her frame shows in Bob's, and back.
        await a.Page.FrameLocator("#frame-stagecast-notes").Locator("#notes").FillAsync("agenda: files");
        await Eventually.TrueAsync(async () => await b.Page.FrameLocator("#frame-stagecast-notes").Locator("#notes").InputValueAsync() == "agenda: files",
            "Ada's note in Bob's frame");
        await b.Page.FrameLocator("#frame-stagecast-notes").Locator("#notes").FillAsync("agenda: files, plugins");
        await Eventually.TrueAsync(async () => await a.Page.FrameLocator("#frame-stagecast-notes").Locator("#notes").InputValueAsync() == "agenda: files, plugins",
            "Bob's note in Ada's frame");

        // Carl joins later: the pad is open for him, with the note as it is.
        var c = await ModulePage.StartAsync(browser, server.HttpBase, carl.Token, "Carl");
        await c.Page.EvaluateAsync(Frames);
        await Eventually.TrueAsync(async () => await c.Page.EvaluateAsync<bool>("() => meeting.plugins.active.get('stagecast-notes')?.active === true"), "the notes pad open for Carl");
        await Eventually.TrueAsync(async () => await c.Page.FrameLocator("#frame-stagecast-notes").Locator("#notes").InputValueAsync() == "agenda: files, plugins",
            "the note in Carl's frame");

        // A participant may not close what the host opened; the host closes it, and it closes everywhere.
        var refused = await b.Page.EvaluateAsync<JsonElement>("e => call(e)", "meeting.plugins.deactivate('stagecast-notes')");
        Assert.Equal(403, refused.GetProperty("code").GetInt32());
        await a.CallAsync("meeting.plugins.deactivate('stagecast-notes')");
        foreach (var page in new[] { b, c })
        {
            await Eventually.TrueAsync(async () => await page.Page.EvaluateAsync<bool>("() => meeting.plugins.active.size() === 0 && !document.getElementById('frame-stagecast-notes')"),
                "the notes pad closed");
        }
    }

    [Fact]
    public async Task APluginsFrameIsSandboxedAndOneWhoseWebAppIsNotHttpsIsNeverFramed()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var browser = await Browser.LaunchAsync();
        var a = await ModulePage.StartAsync(browser, server.HttpBase, ada.Token, "Ada");

        // Whatever a plugin's web app is said to be, the module frames only https:, http: on a loopback host and the
        // server's own pages: javascript: or data: would run in the app's page, with its token in location.hash.
        var tried = await a.Page.EvaluateAsync<JsonElement>("""
            () => {
              const notes = meeting.plugins.all.get('stagecast-notes');
              const own = notes.baseURL;
              const tried = [];
              for (const url of ['javascript:parent.pwned=1//', 'data:text/html,<script>parent.pwned=1</script>', 'http://plugins.example/']) {
                notes.baseURL = url;
                const frame = document.body.appendChild(document.createElement('iframe'));
                try { notes.addPluginView(frame, url); tried.push(`${url}: framed as ${frame.getAttribute('src')}`); } catch { tried.push(`${url}: ${frame.getAttribute('src') ?? 'refused'}`); }
              }
              notes.baseURL = own;
              return tried;
            }
            """);
        Assert.Equal(3, tried.GetArrayLength());
        Assert.All(tried.EnumerateArray(), attempt => Assert.EndsWith(": refused", attempt.GetString(), StringComparison.Ordinal));

        // A plugin opened with a descriptor that names a web app (as a RealtimeKit host's was, before the server refused
        // it): its web app is the server's word, here none, and it is not framed.
        var rogue = await a.Page.EvaluateAsync<JsonElement>("""
            () => {
              meeting.plugins._activated({ id: 'rogue', descriptor: { name: 'Rogue', base_url: 'javascript:parent.pwned=1//' }, base_url: null, opened_by: 'someone' });
              const plugin = meeting.plugins.active.get('rogue');
              const frame = document.body.appendChild(document.createElement('iframe'));
              try { plugin.addPluginView(frame); return { name: plugin.name, baseURL: plugin.baseURL, framed: true }; }
              catch { return { name: plugin.name, baseURL: plugin.baseURL, framed: frame.hasAttribute('src') }; }
            }
            """);
        Assert.Equal("Rogue", rogue.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, rogue.GetProperty("baseURL").ValueKind);
        Assert.False(rogue.GetProperty("framed").GetBoolean());

        // Stagecast's notes pad is framed sandboxed (it may not navigate the app's page) and works there.
        await a.CallAsync("meeting.plugins.activate('stagecast-notes')");
        string? sandbox = await a.Page.EvaluateAsync<string?>("""
            () => {
              const frame = document.body.appendChild(Object.assign(document.createElement('iframe'), { id: 'notes-frame' }));
              meeting.plugins.all.get('stagecast-notes').addPluginView(frame);
              return frame.getAttribute('sandbox');
            }
            """);
        Assert.Equal("allow-scripts allow-same-origin allow-forms allow-popups", sandbox);
        await a.Page.FrameLocator("#notes-frame").Locator("#notes").FillAsync("agenda: sandboxes");
        await Eventually.TrueAsync(async () => await a.Page.EvaluateAsync<bool>(
            "async () => (await meeting._request('plugin_store_get', { plugin_id: 'stagecast-notes', store: 'notes' })).items.some(i => i.value === 'agenda: sandboxes')"),
            "the note typed in the sandboxed frame in the plugin's store");
        Assert.False(await a.Page.EvaluateAsync<bool>("() => 'pwned' in window"));
    }
}
