using System.Text.Json;
using System.Text.Json.Serialization;
using Stagecast.Server.Features.Cluster;

namespace Stagecast.Server.Features.Rooms.Nodes;

/// <summary>
/// A group of breakout rooms across the nodes of a cluster: <see cref="GroupRequest"/> and <see cref="GroupAnswer"/> as
/// JSON through <see cref="IMeetingNodes"/>, asked here and answered by <see cref="ConnectedMeetings"/> on the node asked.
/// </summary>
public sealed class GroupNodes(IMeetingNodes nodes, IServiceProvider services) : IGroupNodes, INodeRequestHandler
{
    public ValueTask<string?> OtherNodeOfAsync(string meetingId, CancellationToken cancellationToken) => nodes.OtherNodeOfAsync(meetingId, cancellationToken);

    public ValueTask<string?> ClaimAsync(string meetingId, CancellationToken cancellationToken) => nodes.ClaimAsync(meetingId, cancellationToken);

    public async Task<GroupAnswer> AskAsync(string node, GroupRequest request, CancellationToken cancellationToken)
    {
        string answer = await nodes.AskAsync(node, JsonSerializer.Serialize(request, GroupJsonContext.Default.GroupRequest), cancellationToken).ConfigureAwait(false);
        return JsonSerializer.Deserialize(answer, GroupJsonContext.Default.GroupAnswer) ?? throw new JsonException("an empty answer about a group");
    }

    public async Task<string> AnswerAsync(string request, CancellationToken cancellationToken)
    {
        var asked = JsonSerializer.Deserialize(request, GroupJsonContext.Default.GroupRequest) ?? throw new JsonException("an empty request about a group");
        var answer = await services.GetRequiredService<ConnectedMeetings>().AnswerAsync(asked, cancellationToken).ConfigureAwait(false); // it asks through this
        return JsonSerializer.Serialize(answer, GroupJsonContext.Default.GroupAnswer);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, UseStringEnumConverter = true)]
[JsonSerializable(typeof(GroupRequest))]
[JsonSerializable(typeof(GroupAnswer))]
internal sealed partial class GroupJsonContext : JsonSerializerContext;
