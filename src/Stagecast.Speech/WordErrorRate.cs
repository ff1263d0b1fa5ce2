namespace Stagecast.Speech;

/// <summary>Word error rate: the word-level edit distance from what was said to what was heard, over the words said.</summary>
public static class WordErrorRate
{
    public static double Of(string said, string heard)
    {
        string[] reference = Words(said);
        string[] hypothesis = Words(heard);
        if (reference.Length == 0)
        {
            return hypothesis.Length == 0 ? 0 : 1;
        }

        int[] previous = Enumerable.Range(0, hypothesis.Length + 1).ToArray();
        int[] current = new int[hypothesis.Length + 1];
        for (int i = 1; i <= reference.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= hypothesis.Length; j++)
            {
                int substitution = previous[j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return (double)previous[hypothesis.Length] / reference.Length;
    }

    /// <summary>Lower-case words without punctuation (Spanish's opening marks too).</summary>
    public static string[] Words(string text) =>
        text.ToLowerInvariant().Split((char[])[' ', '\t', '\n', '\r', '.', ',', '!', '?', ';', ':', '"', '¡', '¿'], StringSplitOptions.RemoveEmptyEntries);
}
