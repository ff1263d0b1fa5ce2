using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.Cluster;

/// <summary>Checks ClusterOptions's DataAnnotations with code generated at compile time (no reflection: the release is Native AOT).</summary>
[OptionsValidator]
public sealed partial class ClusterOptionsValidator : IValidateOptions<ClusterOptions>;
