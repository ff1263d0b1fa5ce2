using System.Text.Json.Serialization;
using Stagecast.Recording;
using Stagecast.Server.Hosting.Storage;

namespace Stagecast.Server.Features.Recordings;

/// <summary>A recording's values kept as JSON in a column, with the serializer's default options (<see cref="Hosting.Database.StoredJsonContext"/>).</summary>
[JsonSerializable(typeof(StorageTarget))]
[JsonSerializable(typeof(IReadOnlyList<RecordedTrack>))]
internal sealed partial class RecordingStoredJsonContext : JsonSerializerContext;
