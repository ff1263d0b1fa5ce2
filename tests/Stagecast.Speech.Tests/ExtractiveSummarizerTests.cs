namespace Stagecast.Speech.Tests;

/// <summary>
/// The extractive summary keeps the utterances that say most of what the meeting talked about, in the order they were
/// said, within the word limit; small talk and filler lose to the subject.
/// </summary>
public sealed class ExtractiveSummarizerTests
{
    private static readonly string[] Meeting =
    [
        "hello everyone can you hear me",                                  // 0: filler
        "the budget for the new studio is forty thousand",                 // 1
        "yeah yeah okay",                                                  // 2: filler
        "we move the studio budget to the second quarter",                 // 3
        "did anyone see the game last night",                              // 4: small talk
        "the studio needs new cameras and the budget covers the cameras",  // 5
        "okay thanks bye",                                                 // 6: filler
    ];

    [Fact]
    public void TheUtterancesAboutTheSubjectAreKeptInOrderWithinTheLimit()
    {
        Assert.Equal([1, 3, 5], ExtractiveSummarizer.Choose(Meeting, wordLimit: 30));
        Assert.Equal([1, 5], ExtractiveSummarizer.Choose(Meeting, wordLimit: 20)); // the two densest in the subject's words (9 and 11 words)
        Assert.Empty(ExtractiveSummarizer.Choose(Meeting, wordLimit: 2));
        Assert.Empty(ExtractiveSummarizer.Choose([], wordLimit: 500));
    }
}
