using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace Stagecast.Speech;

/// <summary>
/// The languages whisper recognises (whisper.cpp 1.8's table: its codes, ISO 639-1 but for a few, with their English
/// names), and a BCP 47 tag as RealtimeKit takes it (<c>en-US</c>, <c>es</c>, <c>pt-BR</c>, <c>multi</c>) mapped to
/// one: its primary language subtag, the region left out (whisper has one model per language, not per country).
/// </summary>
public static partial class SpeechLanguages
{
    /// <summary>The longest tag taken (RFC 5646 4.4.1's buffer).</summary>
    public const int MaxTagLength = 35;

    private static readonly FrozenDictionary<string, string> Names = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["en"] = "English", ["zh"] = "Chinese", ["de"] = "German", ["es"] = "Spanish", ["ru"] = "Russian", ["ko"] = "Korean",
        ["fr"] = "French", ["ja"] = "Japanese", ["pt"] = "Portuguese", ["tr"] = "Turkish", ["pl"] = "Polish", ["ca"] = "Catalan",
        ["nl"] = "Dutch", ["ar"] = "Arabic", ["sv"] = "Swedish", ["it"] = "Italian", ["id"] = "Indonesian", ["hi"] = "Hindi",
        ["fi"] = "Finnish", ["vi"] = "Vietnamese", ["he"] = "Hebrew", ["uk"] = "Ukrainian", ["el"] = "Greek", ["ms"] = "Malay",
        ["cs"] = "Czech", ["ro"] = "Romanian", ["da"] = "Danish", ["hu"] = "Hungarian", ["ta"] = "Tamil", ["no"] = "Norwegian",
        ["th"] = "Thai", ["ur"] = "Urdu", ["hr"] = "Croatian", ["bg"] = "Bulgarian", ["lt"] = "Lithuanian", ["la"] = "Latin",
        ["mi"] = "Maori", ["ml"] = "Malayalam", ["cy"] = "Welsh", ["sk"] = "Slovak", ["te"] = "Telugu", ["fa"] = "Persian",
        ["lv"] = "Latvian", ["bn"] = "Bengali", ["sr"] = "Serbian", ["az"] = "Azerbaijani", ["sl"] = "Slovenian", ["kn"] = "Kannada",
        ["et"] = "Estonian", ["mk"] = "Macedonian", ["br"] = "Breton", ["eu"] = "Basque", ["is"] = "Icelandic", ["hy"] = "Armenian",
        ["ne"] = "Nepali", ["mn"] = "Mongolian", ["bs"] = "Bosnian", ["kk"] = "Kazakh", ["sq"] = "Albanian", ["sw"] = "Swahili",
        ["gl"] = "Galician", ["mr"] = "Marathi", ["pa"] = "Punjabi", ["si"] = "Sinhala", ["km"] = "Khmer", ["sn"] = "Shona",
        ["yo"] = "Yoruba", ["so"] = "Somali", ["af"] = "Afrikaans", ["oc"] = "Occitan", ["ka"] = "Georgian", ["be"] = "Belarusian",
        ["tg"] = "Tajik", ["sd"] = "Sindhi", ["gu"] = "Gujarati", ["am"] = "Amharic", ["yi"] = "Yiddish", ["lo"] = "Lao",
        ["uz"] = "Uzbek", ["fo"] = "Faroese", ["ht"] = "Haitian Creole", ["ps"] = "Pashto", ["tk"] = "Turkmen", ["nn"] = "Nynorsk",
        ["mt"] = "Maltese", ["sa"] = "Sanskrit", ["lb"] = "Luxembourgish", ["my"] = "Burmese", ["bo"] = "Tibetan", ["tl"] = "Tagalog",
        ["mg"] = "Malagasy", ["as"] = "Assamese", ["tt"] = "Tatar", ["haw"] = "Hawaiian", ["ln"] = "Lingala", ["ha"] = "Hausa",
        ["ba"] = "Bashkir", ["jw"] = "Javanese", ["su"] = "Sundanese", ["yue"] = "Cantonese",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Where BCP 47's primary subtag is not whisper's code (whisper.cpp keeps a few older ones).</summary>
    private static readonly FrozenDictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["jv"] = "jw", ["nb"] = "no", ["iw"] = "he", ["in"] = "id", ["fil"] = "tl",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// Whisper's code for <paramref name="tag"/> (<c>en-US</c> -> <c>en</c>, <c>multi</c> -> <see cref="SpeechSettings.AutoDetect"/>),
    /// or null when it is not a BCP 47 tag of a language whisper knows.
    /// </summary>
    public static string? FromBcp47(string tag)
    {
        if (tag.Length > MaxTagLength || !Tag().IsMatch(tag))
        {
            return null;
        }

        string primary = tag.Split('-')[0].ToLowerInvariant();
        if (primary == "multi")
        {
            return SpeechSettings.AutoDetect;
        }

        primary = Aliases.GetValueOrDefault(primary, primary);
        return Names.ContainsKey(primary) ? primary : null;
    }

    /// <summary>Whether <paramref name="code"/> is one of whisper's languages.</summary>
    public static bool IsWhisper(string code) => Names.ContainsKey(code);

    /// <summary>The English name of whisper's language <paramref name="code"/> (<c>es</c> -> <c>Spanish</c>), or the code itself.</summary>
    public static string NameOf(string code) => Names.GetValueOrDefault(code, code);

    [GeneratedRegex("^(multi|[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*)$")]
    private static partial Regex Tag();
}
