using System.Text.Json;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>The payload of an <c>image</c> or <c>file</c> chat message: the file's record, as JSON.</summary>
public static class ChatFileJson
{
    public static string Write(ChatFile file) => JsonSerializer.Serialize(file, ChatFileJsonContext.Default.ChatFile);

    /// <summary>The file a message carries; null for a text message (or a payload that is not a file's record).</summary>
    public static ChatFile? Of(ChatMessage message)
    {
        if (message.PayloadType is not ("image" or "file"))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(message.Payload, ChatFileJsonContext.Default.ChatFile);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
