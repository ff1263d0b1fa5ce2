namespace Stagecast.Media.MpegTs;

/// <summary>One elementary stream of the program, as its PMT describes it.</summary>
/// <param name="OpusChannels">For Opus, the channel count of the Opus audio descriptor (2 when none is given).</param>
public sealed record TsElementaryStream(int Pid, byte StreamType, TsCodec Codec, int OpusChannels = 0);
