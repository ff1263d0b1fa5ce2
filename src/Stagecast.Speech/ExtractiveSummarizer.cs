namespace Stagecast.Speech;

/// <summary>
/// An extractive summary of a transcript, in process and without a model: each utterance is scored by how much it says
/// of what the meeting talked about most (the frequency of its content words across the transcript, stop words left
/// out, normalised by the utterance's length so long rambles do not win by length alone), and the best ones are kept,
/// in the order they were said, up to a word limit and a third of the utterances (a summary is shorter than what it
/// sums up, however short the meeting). It quotes; it cannot paraphrase (an abstractive summary takes a
/// language model: docs/ai.md).
/// </summary>
public static class ExtractiveSummarizer
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did", "do", "does",
        "for", "from", "get", "got", "had", "has", "have", "he", "her", "here", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
        "just", "know", "let", "like", "me", "my", "no", "not", "now", "of", "oh", "ok", "okay", "on", "one", "or", "our", "out", "so", "some",
        "that", "the", "their", "them", "then", "there", "they", "this", "to", "uh", "um", "up", "us", "was", "we", "well", "were", "what", "when",
        "which", "who", "will", "with", "would", "yeah", "yes", "you", "your",
    };

    /// <summary>The indexes of the utterances of <paramref name="texts"/> kept, in order, together at most <paramref name="wordLimit"/> words.</summary>
    public static IReadOnlyList<int> Choose(IReadOnlyList<string> texts, int wordLimit)
    {
        var words = texts.Select(WordErrorRate.Words).ToList();
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string word in words.SelectMany(w => w).Where(IsContent))
        {
            frequency[word] = frequency.GetValueOrDefault(word) + 1;
        }

        double top = frequency.Count == 0 ? 1 : frequency.Values.Max();
        var ranked = Enumerable.Range(0, texts.Count)
            .Where(i => words[i].Length > 0)
            .Select(i => (Index: i, Score: words[i].Where(IsContent).Sum(w => frequency[w] / top) / Math.Sqrt(words[i].Length)))
            .OrderByDescending(s => s.Score)
            .ThenBy(s => s.Index);
        var chosen = new List<int>();
        int total = 0;
        int most = (texts.Count + 2) / 3;
        foreach (var (index, _) in ranked)
        {
            if (chosen.Count < most && total + words[index].Length <= wordLimit)
            {
                chosen.Add(index);
                total += words[index].Length;
            }
        }

        chosen.Sort();
        return chosen;
    }

    private static bool IsContent(string word) => word.Length > 1 && !StopWords.Contains(word);
}
