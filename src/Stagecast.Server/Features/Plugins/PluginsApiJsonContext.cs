using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Plugins;

/// <summary>The REST API's requests and answers of plugins, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(PluginRequest))]
[JsonSerializable(typeof(ApiListResponse<PluginDto>))]
[JsonSerializable(typeof(ApiResponse<PluginDto>))]
internal sealed partial class PluginsApiJsonContext : JsonSerializerContext;
