namespace Stagecast.Server.Features.Thumbnails;

/// <summary>A picture made of a stream's keyframe (<see cref="Keyframe"/>: its number in the stream), with its HTTP entity tag.</summary>
public sealed record ThumbnailPicture(byte[] Jpeg, long Keyframe, string ETag);
