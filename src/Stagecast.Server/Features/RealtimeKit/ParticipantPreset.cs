using System.Text.Json.Nodes;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// A preset as RealtimeKit's client reads it in participant-details. The client uses what it gets as it is, without
/// defaults of its own, and fails to initialise when any of a few objects is missing (the study's section 4), so those
/// are filled from what Stagecast enforces: the view type, <c>max_video_streams</c>, <c>permissions.media</c> and
/// <c>permissions.plugins</c>. A <c>ui</c> without <c>design_tokens</c> also fails it and is left out.
/// </summary>
public static class ParticipantPreset
{
    public static JsonObject From(Preset preset)
    {
        var effective = preset.Effective;
        var config = (JsonObject)preset.Config.DeepClone();
        config["view_type"] ??= effective.ViewType;
        var streams = config["max_video_streams"] as JsonObject ?? [];
        streams["desktop"] ??= effective.MaxVideoStreams;
        streams["mobile"] ??= Math.Min(effective.MaxVideoStreams, 6);
        config["max_video_streams"] = streams;

        var permissions = (JsonObject)preset.Permissions.DeepClone();
        var media = permissions["media"] as JsonObject ?? [];
        Produce(media, "audio", effective.AudioAccess);
        Produce(media, "video", effective.VideoAccess);
        Produce(media, "screenshare", effective.ScreenshareAccess);
        permissions["media"] = media;
        var plugins = permissions["plugins"] as JsonObject ?? [];
        plugins["config"] ??= new JsonObject();
        permissions["plugins"] = plugins;

        var document = new JsonObject
        {
            ["id"] = preset.Id,
            ["name"] = preset.Name,
            ["config"] = config,
            ["permissions"] = permissions,
        };
        if (preset.Ui["design_tokens"] is JsonObject)
        {
            document["ui"] = preset.Ui.DeepClone();
        }

        return document;
    }

    private static void Produce(JsonObject media, string kind, PresetAccess access)
    {
        var entry = media[kind] as JsonObject ?? [];
        entry["can_produce"] ??= access.Name();
        media[kind] = entry;
    }
}
