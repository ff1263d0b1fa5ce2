using System.Text.Json.Serialization;
using Stagecast.Recording;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Recordings;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// Values the stores keep as JSON in a column, with the serializer's default options (as written since the first
/// release, so existing databases read back unchanged); generated at compile time for the Native AOT release.
/// </summary>
[JsonSerializable(typeof(VideoConfig))]
[JsonSerializable(typeof(StorageTarget))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<RecordedTrack>))]
public sealed partial class StoredJsonContext : JsonSerializerContext;
