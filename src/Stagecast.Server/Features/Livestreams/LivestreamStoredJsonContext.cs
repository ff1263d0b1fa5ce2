using System.Text.Json.Serialization;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>A livestream's values kept as JSON in a column, with the serializer's default options (<see cref="Hosting.Database.StoredJsonContext"/>).</summary>
[JsonSerializable(typeof(VideoConfig))]
internal sealed partial class LivestreamStoredJsonContext : JsonSerializerContext;
