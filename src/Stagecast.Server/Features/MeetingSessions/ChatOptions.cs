using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>What chat may cost (configuration section <c>Stagecast:Chat</c>).</summary>
public sealed class ChatOptions : IValidatableObject
{
    /// <summary>Messages one participant may send per second, over all its sockets together (bursts of twice that).</summary>
    [Range(1, int.MaxValue)]
    public int MessagesPerSecond { get; set; } = 3;

    /// <summary>Messages a meeting session keeps; past it, chat is refused (413) until the next session.</summary>
    [Range(1, int.MaxValue)]
    public int MaxMessagesPerSession { get; set; } = 10_000;

    /// <summary>UTF-8 bytes of text a meeting session keeps; past it, chat is refused (413).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxBytesPerSession { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bytes one file or image sent in chat may have (<c>POST /v2/meetings/chat-upload</c>, the JSON channel's <c>chat_upload</c>).</summary>
    [Range(1, long.MaxValue)]
    public long MaxFileBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Bytes of files and images sent in chat one participant may keep (until chat's <see cref="Retention"/> deletes them);
    /// past it an upload is refused (413). A file counts at least 64 KiB (<see cref="ChatFileQuota.MinimumCost"/>).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long MaxFileBytesPerParticipant { get; set; } = 100L * 1024 * 1024;

    /// <summary>Bytes of chat files one meeting may keep, all its sessions together (413 past it).</summary>
    [Range(0, long.MaxValue)]
    public long MaxFileBytesPerMeeting { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Bytes of chat files one app may keep, all its meetings together (413 past it).</summary>
    [Range(0, long.MaxValue)]
    public long MaxFileBytesPerApp { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>How long chat is kept; older messages are deleted (every hour). Zero keeps chat for ever.</summary>
    [Duration]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>The S3 bucket files and images sent in chat are stored in; none: the data directory (<c>chat-files/</c>).</summary>
    [ValidateObjectMembers]
    public ChatStorageOptions Storage { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(Storage.Bucket))
        {
            yield break;
        }

        if (string.IsNullOrEmpty(Storage.AccessKey) || string.IsNullOrEmpty(Storage.Secret))
        {
            yield return new ValidationResult("Stagecast:Chat:Storage needs AccessKey and Secret with its Bucket");
        }

        if (Storage.Host is not null && !HttpUrls.TryParse(Storage.Host, out _))
        {
            yield return new ValidationResult("Stagecast:Chat:Storage:Host must be the http(s) URL of an S3-compatible endpoint");
        }
    }
}
