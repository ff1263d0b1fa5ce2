using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The names chat files may have, and the type each extension gives: pictures, documents, archives, audio and video;
/// never a page or a script. A name is what others are shown, so it may hold no character that changes how the rest
/// reads without being seen: controls, line breaks, and Unicode's format characters (the direction overrides, embeddings
/// and isolates that made <c>report\u202egpj.zip</c> show as "reportpiz.jpg", zero-width spaces); only the zero-width
/// joiner and non-joiner stay, which scripts such as Persian and emoji sequences need. Such a name is refused, not
/// cleaned: a name changed behind its sender's back would not be the one it chose.
/// </summary>
public static class ChatFileNames
{
    public const int MaxLength = 200;

    private const char ZeroWidthNonJoiner = '\u200C';
    private const char ZeroWidthJoiner = '\u200D';

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

        if (Hidden(name) is { } hidden)
        {
            throw new DomainException(DomainError.BadRequest,
                $"\"filename\" may not contain control, line-break or invisible formatting characters such as text direction overrides (it has U+{hidden.Value:X4})");
        }

        return Types.TryGetValue(Path.GetExtension(name), out var type)
            ? (name, type)
            : throw new DomainException(DomainError.BadRequest, $"chat does not take files of type \"{Path.GetExtension(name)}\"; it takes {string.Join(", ", Types.Keys)}");
    }

    /// <summary>The first character of <paramref name="name"/> that changes how it reads without showing, if any.</summary>
    private static Rune? Hidden(string name)
    {
        foreach (var rune in name.EnumerateRunes())
        {
            if (rune.Value is ZeroWidthNonJoiner or ZeroWidthJoiner)
            {
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return rune;
            }
        }

        return null;
    }
}
