using System.Text.Json.Serialization;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// Values the stores keep as JSON in a column, with the serializer's default options (as written since the first
/// release, so existing databases read back unchanged); generated at compile time for the Native AOT release. A
/// feature's own values are in a context of its own, with the same options.
/// </summary>
[JsonSerializable(typeof(IReadOnlyList<string>))]
public sealed partial class StoredJsonContext : JsonSerializerContext;
