namespace Stagecast.Speech.Tests;

/// <summary>RealtimeKit's <c>profanity_filter</c>: swear words keep their first letter, whole words only.</summary>
public sealed class ProfanityFilterTests
{
    [Theory]
    [InlineData("what the fuck is this", "what the f*** is this")]
    [InlineData("Shit, the fucking build broke.", "S***, the f****** build broke.")]
    [InlineData("no seas pendejo, es una mierda", "no seas p******, es una m*****")]
    [InlineData("I assume the class in Scunthorpe passed", "I assume the class in Scunthorpe passed")]
    [InlineData("", "")]
    public void SwearWordsAreMasked(string heard, string shown) => Assert.Equal(shown, ProfanityFilter.Mask(heard));
}
