namespace Stagecast.Speech.Tests;

/// <summary>RealtimeKit's BCP 47 tags mapped to whisper's codes; what whisper does not know is refused (null).</summary>
public sealed class SpeechLanguagesTests
{
    [Theory]
    [InlineData("en-US", "en")]
    [InlineData("en-IN", "en")]
    [InlineData("es", "es")]
    [InlineData("es-419", "es")]
    [InlineData("pt-BR", "pt")]
    [InlineData("fr-CA", "fr")]
    [InlineData("de-CH", "de")]
    [InlineData("EL", "el")]
    [InlineData("multi", "auto")]
    [InlineData("jv", "jw")]
    [InlineData("nb-NO", "no")]
    [InlineData("yue", "yue")]
    public void ATagMapsToWhispersCode(string tag, string code) => Assert.Equal(code, SpeechLanguages.FromBcp47(tag));

    [Theory]
    [InlineData("")]
    [InlineData("tlh")] // Klingon: a tag, not one of whisper's languages
    [InlineData("english")]
    [InlineData("en_US")]
    [InlineData("en-")]
    [InlineData("-en")]
    [InlineData("en-US-abcdefghi")]
    public void WhatWhisperDoesNotKnowIsRefused(string tag) => Assert.Null(SpeechLanguages.FromBcp47(tag));

    [Fact]
    public void ALanguageIsNamedInEnglish() =>
        Assert.Equal(("Spanish", "English", "xx"), (SpeechLanguages.NameOf("es"), SpeechLanguages.NameOf("en"), SpeechLanguages.NameOf("xx")));
}
