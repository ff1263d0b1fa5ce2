using Stagecast.Media.Fmp4;
using Stagecast.Streaming;

namespace Stagecast.Recording;

/// <summary>A frame waiting for its fragment: its decode time in its track's timescale, its sample, and parameter sets written in front of it, if any.</summary>
internal readonly record struct PendingSample(MediaFrame Frame, long DecodeTime, FragmentSample Sample, byte[]? InBand = null);
