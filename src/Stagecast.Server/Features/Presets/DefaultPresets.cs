using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Presets;

/// <summary>
/// The presets every app starts with. Hosts may do everything; participants produce media and chat, to everyone and
/// privately; viewers watch, chat and vote but neither produce, livestream nor start a private conversation (they may be
/// written to privately). The documents have RealtimeKit's full shape, so apps
/// written against it find the fields they read. A webinar, livestream or audio room has a stage: its hosts are on it
/// and accept requests to join it (RealtimeKit's <c>webinar_presenter</c>, <c>livestream_host</c>); its viewers ask
/// for it (<c>stage_access</c> and their media CAN_REQUEST: they produce while on it). An audio room is audio only.
/// </summary>
public static class DefaultPresets
{
    /// <summary>The default presets: their names, view types and roles.</summary>
    private static readonly (string Name, string ViewType, Role Role)[] Defaults =
    [
        ("group_call_host", "GROUP_CALL", Role.Host),
        ("group_call_participant", "GROUP_CALL", Role.Participant),
        ("webinar_host", "WEBINAR", Role.Host),
        ("webinar_viewer", "WEBINAR", Role.Viewer),
        ("livestream_host", "LIVESTREAM", Role.Host),
        ("livestream_viewer", "LIVESTREAM", Role.Viewer),
        ("audio_room_host", "AUDIO_ROOM", Role.Host),
        ("audio_room_listener", "AUDIO_ROOM", Role.Viewer),
    ];

    public static IReadOnlyList<Preset> For(string appId, DateTimeOffset now) =>
        [.. Defaults.Select(d => new Preset(Guid.NewGuid().ToString(), appId, d.Name, Config(d.ViewType), Permissions(d.ViewType, d.Role), Ui(), now, now))];

    /// <summary>What POST and PUT start from: a participant of a group call, with everything the request leaves out.</summary>
    public static (JsonObject Config, JsonObject Permissions, JsonObject Ui) Template() =>
        (Config("GROUP_CALL"), Permissions("GROUP_CALL", Role.Participant), Ui());

    /// <summary>
    /// What a preset named <paramref name="name"/> has by default: a default preset's own documents (an app's
    /// <c>group_call_host</c> made before plugins existed has a host's plugin flags), or the template's.
    /// </summary>
    public static (JsonObject Config, JsonObject Permissions, JsonObject Ui) DefaultsFor(string name) =>
        Array.Find(Defaults, d => d.Name == name) is { Name: not null } d ? (Config(d.ViewType), Permissions(d.ViewType, d.Role), Ui()) : Template();

    private enum Role
    {
        Host,
        Participant,
        Viewer,
    }

    private static JsonObject Config(string viewType) => new()
    {
        ["view_type"] = viewType,
        ["max_video_streams"] = new JsonObject { ["desktop"] = viewType == "GROUP_CALL" ? 25 : 6, ["mobile"] = 6 },
        ["max_screenshare_count"] = 1,
        ["media"] = new JsonObject
        {
            ["video"] = new JsonObject { ["quality"] = "hd", ["frame_rate"] = 30 },
            ["screenshare"] = new JsonObject { ["quality"] = "hd", ["frame_rate"] = 5 },
            ["audio"] = new JsonObject { ["enable_stereo"] = false, ["enable_high_bitrate"] = false },
        },
    };

    private static JsonObject Permissions(string viewType, Role role)
    {
        bool host = role == Role.Host;
        bool viewer = role == Role.Viewer;
        bool stage = viewType != "GROUP_CALL";
        string audio = viewer ? "CAN_REQUEST" : "ALLOWED";
        string video = viewType == "AUDIO_ROOM" ? "NOT_ALLOWED" : audio;
        var permissions = new JsonObject
        {
            ["can_livestream"] = host,
            ["can_record"] = host,
            ["can_produce_audio"] = audio == "ALLOWED",
            ["can_produce_video"] = video == "ALLOWED",
            ["can_produce_screenshare"] = video == "ALLOWED",
            ["kick_participant"] = host,
            ["accept_waiting_requests"] = host,
            ["hidden_participant"] = false,
            ["can_spotlight"] = host,
            ["disable_participant_audio"] = host,
            ["disable_participant_video"] = host,
            ["disable_participant_screensharing"] = host,
            ["stage_enabled"] = stage,
            ["accept_stage_requests"] = stage && host,
            ["pin_participant"] = host,
            ["can_change_participant_permissions"] = host,
            ["can_edit_display_name"] = true,
            ["show_participant_list"] = true,
            ["waiting_room_type"] = "SKIP",
            ["recorder_type"] = "NONE",
            ["media"] = new JsonObject
            {
                ["audio"] = new JsonObject { ["can_produce"] = audio },
                ["video"] = new JsonObject { ["can_produce"] = video },
                ["screenshare"] = new JsonObject { ["can_produce"] = video },
            },
            ["chat"] = new JsonObject
            {
                ["can_send"] = true,
                ["can_receive"] = true,
                ["public"] = new JsonObject { ["can_send"] = true, ["text"] = true, ["files"] = true },
                ["private"] = new JsonObject { ["can_send"] = !viewer, ["can_receive"] = true, ["text"] = !viewer, ["files"] = !viewer },
                ["message"] = new JsonObject { ["can_edit"] = "SELF", ["can_delete"] = host ? "ALL" : "SELF" },
            },
            ["polls"] = new JsonObject { ["can_create"] = host, ["can_vote"] = true, ["can_view"] = true },
            ["plugins"] = new JsonObject { ["can_start"] = host, ["can_close"] = host, ["can_edit_config"] = host, ["config"] = new JsonObject() },
            ["connected_meetings"] = new JsonObject
            {
                ["can_alter_connected_meetings"] = host,
                ["can_switch_connected_meetings"] = host,
                ["can_switch_to_parent_meeting"] = host,
            },
        };
        if (stage)
        {
            permissions["stage_access"] = host ? "ALLOWED" : "CAN_REQUEST";
        }

        return permissions;
    }

    private static JsonObject Ui() => new()
    {
        ["design_tokens"] = new JsonObject
        {
            ["theme"] = "dark",
            ["border_radius"] = "rounded",
            ["border_width"] = "thin",
            ["spacing_base"] = 4,
            ["colors"] = new JsonObject
            {
                ["brand"] = new JsonObject { ["300"] = "#844d1c", ["400"] = "#9d5b22", ["500"] = "#b56927", ["600"] = "#d37c30", ["700"] = "#d9904f" },
                ["background"] = new JsonObject { ["600"] = "#222222", ["700"] = "#1f1f1f", ["800"] = "#1b1b1b", ["900"] = "#181818", ["1000"] = "#141414" },
                ["danger"] = "#FF2D2D",
                ["success"] = "#62A504",
                ["warning"] = "#FFCD07",
                ["text"] = "#EEEEEE",
                ["text_on_brand"] = "#EEEEEE",
                ["video_bg"] = "#191919",
            },
        },
    };
}
