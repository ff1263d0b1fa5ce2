using System.Text.Json;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// What an <c>image</c> or <c>file</c> chat message stores: the file's id, name and size, and the origin its links
/// are on. Never shown as it is: <see cref="ChatFiles.Shown"/> makes it a signed link.
/// </summary>
public sealed record ChatFilePayload(string Id, string Name, long Size, string Origin);

/// <summary>The payload of an <c>image</c> or <c>file</c> chat message, as JSON.</summary>
public static class ChatFileJson
{
    public static string Write(ChatFile file) =>
        JsonSerializer.Serialize(new ChatFilePayload(file.Id, file.Name, file.Size, file.Origin), ChatFileJsonContext.Default.ChatFilePayload);

    /// <summary>The file a message carries; null for a text message (or a payload that is not a file's).</summary>
    public static ChatFilePayload? Of(ChatMessage message)
    {
        if (message.PayloadType is not ("image" or "file"))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(message.Payload, ChatFileJsonContext.Default.ChatFilePayload);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
