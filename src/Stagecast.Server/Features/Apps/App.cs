using System.Collections.Immutable;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Apps;

/// <summary>
/// An app of an account: the tenant every livestream, meeting and preset belongs to. Its livestreams that choose no
/// renditions get <see cref="DefaultRenditions"/> (null: the source alone).
/// </summary>
public sealed record App(string Id, string AccountId, string? Name, DateTimeOffset CreatedAt, ImmutableArray<Rendition>? DefaultRenditions = null);
