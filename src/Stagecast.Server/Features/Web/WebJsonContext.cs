using System.Text.Json.Serialization;

namespace Stagecast.Server.Features.Web;

/// <summary>The pages' JSON, generated at compile time (the API's JSON options apply).</summary>
[JsonSerializable(typeof(WebPages.WatchState))]
internal sealed partial class WebJsonContext : JsonSerializerContext;
