using System.Text.Json.Nodes;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Presets;

/// <summary>
/// Builds the stored documents of a preset from a request: checks the fields Stagecast acts on, applies the request
/// onto a base (a template for POST and PUT, the current preset for PATCH) as a JSON merge patch (RFC 7396), and
/// keeps the two ways of saying "may produce video" in step: the contract's <c>can_produce_video</c> and
/// RealtimeKit's <c>media.video.can_produce</c> ("ALLOWED", "NOT_ALLOWED", "CAN_REQUEST"); likewise
/// <c>chat.can_send</c> and <c>chat.public.can_send</c>. What the request says wins over what the base had.
/// </summary>
public static class PresetDocument
{
    public static readonly string[] ViewTypes = ["GROUP_CALL", "WEBINAR", "AUDIO_ROOM", "LIVESTREAM", "CHAT"];

    private static readonly (string Flat, string Media)[] Produce =
        [("can_produce_audio", "audio"), ("can_produce_video", "video"), ("can_produce_screenshare", "screenshare")];

    private static readonly string[] Flags =
        ["can_livestream", "can_record", "kick_participant", "accept_waiting_requests", "hidden_participant", .. Produce.Select(p => p.Flat)];

    /// <summary>Flags read (the stage, a host's controls) but not filled in: a preset without them says false.</summary>
    private static readonly string[] OptionalFlags =
        ["stage_enabled", "accept_stage_requests", "can_spotlight", "disable_participant_audio", "disable_participant_video", "disable_participant_screensharing"];

    private static readonly (string Group, string Flag, bool Default)[] GroupFlags =
    [
        ("chat", "can_send", true), ("chat", "can_receive", true),
        ("polls", "can_create", false), ("polls", "can_vote", true), ("polls", "can_view", true),
        ("plugins", "can_start", false), ("plugins", "can_close", false), ("plugins", "can_edit_config", false),
        ("connected_meetings", "can_alter_connected_meetings", false), ("connected_meetings", "can_switch_connected_meetings", false),
        ("connected_meetings", "can_switch_to_parent_meeting", false),
    ];

    /// <summary>The request's documents applied onto the base documents, checked and normalised.</summary>
    public static (JsonObject Config, JsonObject Permissions, JsonObject Ui) Apply(
        (JsonObject Config, JsonObject Permissions, JsonObject Ui) baseDocuments, JsonObject? config, JsonObject? permissions, JsonObject? ui)
    {
        Check(config, permissions);
        var mergedConfig = Merge(baseDocuments.Config, config);
        var mergedPermissions = Merge(baseDocuments.Permissions, permissions);
        var mergedUi = Merge(baseDocuments.Ui, ui);
        mergedConfig["view_type"] ??= "GROUP_CALL";
        Normalize(mergedPermissions, permissions);
        return (mergedConfig, mergedPermissions, mergedUi);
    }

    /// <summary>
    /// A stored preset's documents with what they lack taken from <paramref name="defaults"/>, then normalised as a
    /// write is: a preset saved before a field existed (<c>permissions.plugins</c>, added with plugins) reads with the
    /// field's default, and what it stored stays as stored. Applied on every read, so nothing needs rewriting.
    /// </summary>
    public static (JsonObject Config, JsonObject Permissions, JsonObject Ui) WithDefaults(
        (JsonObject Config, JsonObject Permissions, JsonObject Ui) stored, (JsonObject Config, JsonObject Permissions, JsonObject Ui) defaults)
    {
        Underlay(stored.Config, defaults.Config);
        Underlay(stored.Permissions, defaults.Permissions);
        Underlay(stored.Ui, defaults.Ui);
        Normalize(stored.Permissions, null);
        return stored;
    }

    private static void Check(JsonObject? config, JsonObject? permissions)
    {
        if (config?["view_type"] is { } viewType && !(viewType is JsonValue v && v.TryGetValue(out string? text) && ViewTypes.Contains(text)))
        {
            throw ApiException.BadRequest($"\"config.view_type\" must be one of {string.Join(", ", ViewTypes)}");
        }

        ViewerQualities.Check(config?["livestream_viewer_qualities"]);

        if (permissions is null)
        {
            return;
        }

        foreach (string flag in Flags.Concat(OptionalFlags))
        {
            CheckBoolean(permissions[flag], $"permissions.{flag}");
        }

        CheckAccess(permissions["stage_access"], "permissions.stage_access");

        foreach (var (group, flag, _) in GroupFlags)
        {
            CheckBoolean(ObjectAt(permissions, group, $"permissions.{group}")?[flag], $"permissions.{group}.{flag}");
        }

        var chat = ObjectAt(permissions, "chat", "permissions.chat");
        CheckBoolean((chat is null ? null : ObjectAt(chat, "public", "permissions.chat.public"))?["can_send"], "permissions.chat.public.can_send");
        var media = ObjectAt(permissions, "media", "permissions.media");
        foreach (var (_, kind) in Produce)
        {
            CheckAccess((media is null ? null : ObjectAt(media, kind, $"permissions.media.{kind}"))?["can_produce"], $"permissions.media.{kind}.can_produce");
        }
    }

    private static void CheckAccess(JsonNode? node, string name)
    {
        if (node is not null && PresetAccesses.Of(node) is null)
        {
            throw ApiException.BadRequest($"\"{name}\" must be one of {string.Join(", ", PresetAccesses.Names)}");
        }
    }

    private static JsonObject? ObjectAt(JsonObject parent, string name, string path) => parent[name] switch
    {
        null => null,
        JsonObject child => child,
        _ => throw ApiException.BadRequest($"\"{path}\" must be an object"),
    };

    private static void CheckBoolean(JsonNode? node, string name)
    {
        if (node is not null && !(node is JsonValue value && value.TryGetValue(out bool _)))
        {
            throw ApiException.BadRequest($"\"{name}\" must be true or false");
        }
    }

    private static void Normalize(JsonObject permissions, JsonObject? request)
    {
        foreach (string flag in Flags)
        {
            permissions[flag] ??= false;
        }

        var media = Child(permissions, "media");
        foreach (var (flat, kind) in Produce)
        {
            var mediaKind = Child(media, kind);
            string? requested = request?["media"]?[kind]?["can_produce"]?.GetValue<string>();
            bool allowed = Bool(request?[flat]) ?? Allowed(requested) ?? Bool(permissions[flat]) ?? false;
            permissions[flat] = allowed;
            string? current = mediaKind["can_produce"]?.GetValue<string>();
            mediaKind["can_produce"] = allowed ? "ALLOWED" : (requested ?? current) == "CAN_REQUEST" ? "CAN_REQUEST" : "NOT_ALLOWED";
        }

        foreach (var (group, flag, fallback) in GroupFlags)
        {
            var node = Child(permissions, group);
            node[flag] = Bool(node[flag]) ?? fallback;
        }

        // chat.can_send and RealtimeKit's chat.public.can_send say the same; the one the request gave wins.
        var chat = Child(permissions, "chat");
        bool canSend = Bool(request?["chat"]?["can_send"]) ?? Bool(request?["chat"]?["public"]?["can_send"]) ?? Bool(chat["can_send"]) ?? true;
        chat["can_send"] = canSend;
        if (chat["public"] is JsonObject publicChat)
        {
            publicChat["can_send"] = canSend;
        }
    }

    /// <summary>RFC 7396: objects merge member by member, null removes, anything else replaces.</summary>
    private static JsonObject Merge(JsonObject target, JsonObject? patch)
    {
        var result = (JsonObject)target.DeepClone();
        if (patch is null)
        {
            return result;
        }

        foreach (var (name, value) in patch)
        {
            if (value is null)
            {
                result.Remove(name);
            }
            else if (value is JsonObject child && result[name] is JsonObject existing)
            {
                result[name] = Merge(existing, child);
            }
            else
            {
                result[name] = value.DeepClone();
            }
        }

        return result;
    }

    /// <summary>Adds to <paramref name="target"/> each member of <paramref name="defaults"/> it lacks, at every depth; replaces nothing.</summary>
    private static void Underlay(JsonObject target, JsonObject defaults)
    {
        foreach (var (name, value) in defaults)
        {
            if (!target.ContainsKey(name))
            {
                target[name] = value?.DeepClone();
            }
            else if (target[name] is JsonObject child && value is JsonObject defaultChild)
            {
                Underlay(child, defaultChild);
            }
        }
    }

    private static JsonObject Child(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject child)
        {
            return child;
        }

        child = [];
        parent[name] = child;
        return child;
    }

    private static bool? Bool(JsonNode? node) => node is JsonValue value && value.TryGetValue(out bool flag) ? flag : null;

    private static bool? Allowed(string? state) => state is null ? null : state == "ALLOWED";
}
