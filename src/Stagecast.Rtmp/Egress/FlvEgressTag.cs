using Stagecast.Media.Amf0;
using Stagecast.Media.Flv;

namespace Stagecast.Rtmp.Egress;

/// <summary>An FLV tag body in two parts, sent without joining them: the tag header and the frame; or, for script data, the onMetaData object.</summary>
public readonly record struct FlvEgressTag(FlvTagType Type, ReadOnlyMemory<byte> Header, ReadOnlyMemory<byte> Payload, AmfObject? Metadata = null);
