using Stagecast.Media.Codecs;

namespace Stagecast.Media.Flv;

/// <summary>A parsed FLV audio tag header: what follows at <see cref="DataOffset"/> in the tag body.</summary>
public readonly record struct FlvAudioPacket(AudioCodec Codec, FlvPacketKind Kind, int DataOffset, int SoundFormat);
