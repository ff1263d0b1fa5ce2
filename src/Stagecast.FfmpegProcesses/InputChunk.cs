namespace Stagecast.FfmpegProcesses;

/// <summary>A pooled buffer waiting for ffmpeg's stdin; <see cref="EndsWrite"/> on the last buffer of a write.</summary>
internal readonly record struct InputChunk(byte[] Array, int Length, bool EndsWrite);
