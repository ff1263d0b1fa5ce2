using System.Globalization;
using System.Text;

namespace Stagecast.Server.Hosting;

/// <summary>
/// Text one person chooses and others are shown (a display name, a file's name): no control characters, no line or
/// paragraph separators, and none of the format characters that reorder or hide what is shown (bidirectional
/// overrides, embeddings, isolates and marks, zero-width spaces, a byte order mark), so "report\u202Egpj.zip" cannot
/// pass for a picture nor a name forge a line of a chat export. Zero-width joiners and non-joiners, and the tag
/// characters of flag emoji, stay: emoji and scripts such as Persian need them. Such text is refused, not cleaned: a
/// name changed behind its sender's back would not be the one it chose.
/// </summary>
public static class ShownText
{
    /// <summary>What is wrong with <paramref name="text"/> as text shown to others (a phrase), or null when nothing is.</summary>
    public static string? Problem(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsControl(rune))
            {
                return $"control characters (U+{rune.Value:X4})";
            }

            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return $"line breaks (U+{rune.Value:X4})";
            }

            if (category == UnicodeCategory.Format && rune.Value is not (0x200C or 0x200D) && rune.Value is not (>= 0xE0020 and <= 0xE007F))
            {
                return $"invisible formatting characters (U+{rune.Value:X4})";
            }
        }

        return null;
    }
}
