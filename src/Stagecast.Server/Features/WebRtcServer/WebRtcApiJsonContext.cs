using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>The REST API's answers of the WebRTC feature, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(IceServersResponse))]
internal sealed partial class WebRtcApiJsonContext : JsonSerializerContext;
