namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>
/// The composite program feeding a meeting livestream, as it runs: its size, the frame rate it should keep and the
/// rate it kept over the last second, the frames it produced and those it dropped, late (its clock ticked after the
/// frame's slot had passed: short of CPU) or with its encoder behind (the encoder's queue was full).
/// </summary>
public sealed record ProgramStatusDto(
    int Width, int Height, int FrameRate, double FramesPerSecond, long Frames, long DroppedFrames, long DroppedFramesLate, long DroppedFramesEncoderBehind);
