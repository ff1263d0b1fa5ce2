using System.Globalization;
using System.Text;

namespace Stagecast.Streaming.Logging;

/// <summary>
/// Text from the network (an SRT stream id, an RTMP application name, a livestream's name, a remote server's error)
/// made safe for a log line, which a terminal shows as it comes: every control or format character is written as an
/// escape (<c>\x1B</c>, <c>\u202E</c>), so an ESC cannot start a terminal sequence, a CR or LF cannot forge a line,
/// and a bidirectional override cannot reorder what is shown. Stream keys go through <see cref="StreamKeys.Redact"/>,
/// which uses this too.
/// </summary>
public static class LogText
{
    /// <summary>The text with its control and format characters escaped.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(NeedsEscape))
        {
            return text ?? "";
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (!NeedsEscape(c))
            {
                escaped.Append(c);
            }
            else if (c <= 0xFF)
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
        }

        return escaped.ToString();
    }

    /// <summary>At most <paramref name="maxLength"/> characters of the text (then "…"), escaped.</summary>
    public static string Untrusted(string? text, int maxLength = 64) =>
        text is not null && text.Length > maxLength ? Escape(text[..maxLength]) + "…" : Escape(text);

    /// <summary>C0, DEL and C1 controls; format characters (bidirectional overrides, zero-width ones); line and paragraph separators.</summary>
    private static bool NeedsEscape(char c) => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
