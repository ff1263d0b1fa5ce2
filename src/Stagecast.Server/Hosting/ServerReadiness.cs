namespace Stagecast.Server.Hosting;

/// <summary>Set once every listener (HTTP and RTMP) is bound; /healthz reports it.</summary>
public sealed class ServerReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
