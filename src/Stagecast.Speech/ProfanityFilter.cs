using System.Collections.Frozen;
using System.Text;

namespace Stagecast.Speech;

/// <summary>
/// RealtimeKit's <c>profanity_filter</c> for engines that have none (whisper.cpp and PocketSphinx write what they hear):
/// a swear word of a short English and Spanish list keeps its first letter and has the rest masked (<c>f***</c>), as
/// hosted recognisers mask them. Whole words only, so <c>assume</c> and <c>Scunthorpe</c> stay; a stem (<c>fuck</c>)
/// also masks the words made from it (<c>fucking</c>).
/// </summary>
public static class ProfanityFilter
{
    private static readonly FrozenSet<string> Words = new[]
    {
        "ass", "arse", "asshole", "assholes", "bastard", "bastards", "bitch", "bitches", "bollocks", "cock", "cocks", "crap",
        "damn", "dick", "dicks", "piss", "pissed", "prick", "slut", "sluts", "twat", "wanker", "wankers", "whore", "whores",
        "cabrón", "cabron", "cabrones", "coño", "gilipollas", "joder", "jodido", "mierda", "pendejo", "pendejos", "puta", "putas", "puto",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly string[] Stems = ["fuck", "motherfuck", "shit", "bullshit", "cunt"];

    /// <summary><paramref name="text"/> with each swear word's letters after its first masked.</summary>
    public static string Mask(string text)
    {
        var masked = new StringBuilder(text);
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool letter = i < text.Length && char.IsLetter(text[i]);
            if (letter && start < 0)
            {
                start = i;
            }
            else if (!letter && start >= 0)
            {
                string word = text[start..i].ToLowerInvariant();
                if (Words.Contains(word) || Array.Exists(Stems, s => word.StartsWith(s, StringComparison.Ordinal)))
                {
                    for (int j = start + 1; j < i; j++)
                    {
                        masked[j] = '*';
                    }
                }

                start = -1;
            }
        }

        return masked.ToString();
    }
}
