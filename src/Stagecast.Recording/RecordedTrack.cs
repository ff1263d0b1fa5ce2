namespace Stagecast.Recording;

/// <summary>One recorded track of a participant: where its file is and what it holds.</summary>
public sealed record RecordedTrack(string PeerId, string Source, string Kind, string Codec, string FileName, long? FileSize);
