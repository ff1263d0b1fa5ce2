using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Streaming;

namespace Stagecast.Testing;

public static class TestHub
{
    public static StreamHub Create(TimeProvider? time = null, StreamHubOptions? options = null, params IHubStreamObserver[] observers) =>
        new(Options.Create(options ?? new StreamHubOptions()), time ?? TimeProvider.System, observers, NullLogger<StreamHub>.Instance);
}
