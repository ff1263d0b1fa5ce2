using System.Collections.Frozen;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The names chat files may have, and the type each extension gives: pictures, documents, archives, audio and video;
/// never a page or a script. A name is what others are shown (<see cref="ShownText"/>: no control, line-break or
/// invisible formatting character, such as the direction override that made <c>report\u202egpj.zip</c> show as
/// "reportpiz.jpg").
/// </summary>
public static class ChatFileNames
{
    public const int MaxLength = 200;

    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif", [".webp"] = "image/webp",
        [".pdf"] = "application/pdf", [".txt"] = "text/plain", [".csv"] = "text/csv", [".md"] = "text/markdown", [".json"] = "application/json",
        [".zip"] = "application/zip", [".doc"] = "application/msword", [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xls"] = "application/vnd.ms-excel", [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".ppt"] = "application/vnd.ms-powerpoint", [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        [".odt"] = "application/vnd.oasis.opendocument.text", [".ods"] = "application/vnd.oasis.opendocument.spreadsheet",
        [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".ogg"] = "audio/ogg", [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".mov"] = "video/quicktime",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name a file is kept and shown under (its last path segment) and its type, or why not (400).</summary>
    public static (string Name, string ContentType) Check(string? fileName)
    {
        string name = Path.GetFileName(fileName ?? "");
        if (name.Length is 0 or > MaxLength)
        {
            throw new DomainException(DomainError.BadRequest, $"\"filename\" must be a file name of 1 to {MaxLength} characters");
        }

        if (ShownText.Problem(name) is { } problem)
        {
            throw new DomainException(DomainError.BadRequest, $"\"filename\" must not contain {problem}");
        }

        return Types.TryGetValue(Path.GetExtension(name), out var type)
            ? (name, type)
            : throw new DomainException(DomainError.BadRequest, $"chat does not take files of type \"{Path.GetExtension(name)}\"; it takes {string.Join(", ", Types.Keys)}");
    }
}
