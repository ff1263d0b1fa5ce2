namespace Stagecast.Server.Features.Plugins;

/// <summary>
/// The plugins Stagecast serves itself, offered in every meeting besides the app's registered ones: the shared notes
/// pad (<c>/plugins/notes</c>). Any preset with <c>plugins.can_start</c> may open it.
/// </summary>
public static class StagecastPlugins
{
    /// <summary>The notes pad's plugin id; a RealtimeKit 2.0.x app that passes its frame under this id shares it with the meeting page.</summary>
    public const string NotesId = "stagecast-notes";

    public const string NotesName = "Shared notes";

    public const string NotesDescription = "One text everyone in the meeting sees and edits";

    public const string NotesPath = "/plugins/notes";
}
