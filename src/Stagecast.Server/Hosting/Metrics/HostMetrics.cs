using System.Diagnostics.Metrics;
using Stagecast.Media;
using Stagecast.Rtmp.Server;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Hosting.Metrics;

/// <summary>The host's own instruments (meter <c>Stagecast.Server</c>): HTTP requests and connections, RTMP connections, the data directory's disk, the process.</summary>
public sealed class HostMetrics : IFeatureMetrics
{
    public HostMetrics(IMeterFactory meters, RtmpAdmission rtmp, HttpConnectionLimits httpConnections, DataDirectorySpace disk)
    {
        var meter = meters.Create("Stagecast.Server");
        HttpRequests = meter.CreateCounter<long>("stagecast_http_requests_total", description: "HTTP requests answered, by route template and status code.");
        meter.CreateObservableGauge("stagecast_http_connections", () => httpConnections.Connections, description: "HTTP connections open.");
        meter.CreateObservableCounter("stagecast_http_connections_refused_total", () => httpConnections.RefusedConnections, description: "HTTP connections refused at accept (connection caps), answered 503.");
        meter.CreateObservableGauge("stagecast_rtmp_connections", () => rtmp.Connections, description: "RTMP connections open.");
        meter.CreateObservableGauge("stagecast_rtmp_buffered_bytes", () => rtmp.BufferedBytes, description: "Bytes of incomplete RTMP messages buffered across connections.");
        meter.CreateObservableCounter("stagecast_rtmp_connections_refused_total", () => rtmp.RefusedConnections, description: "RTMP connections refused at accept (connection caps, buffer budget).");
        meter.CreateObservableCounter("stagecast_rtmp_connections_closed_for_buffers_total", () => rtmp.ClosedForBuffers, description: "RTMP connections closed for buffering more than allowed.");
        meter.CreateObservableGauge("stagecast_media_buffers_retained_bytes", () => MediaBufferPool.Shared.RetainedBytes, description: "Bytes of media payload buffers kept for reuse.");
        meter.CreateObservableCounter("stagecast_media_buffers_allocated_total", () => MediaBufferPool.Shared.Allocated, description: "Media payload buffers allocated because none of their size was kept for reuse.");
        meter.CreateObservableGauge("stagecast_data_dir_free_bytes", () => disk.FreeBytes, description: "Bytes free for the server on the data directory's file system.");
        meter.CreateObservableGauge("stagecast_data_dir_min_free_bytes", () => disk.FloorBytes,
            description: "The free-space floor of the data directory (Stagecast:DataDirMinFreeBytes): below it chat files are refused and /healthz answers 503.");
        meter.CreateObservableGauge("stagecast_data_dir_below_floor", () => disk.IsBelowFloor ? 1 : 0, description: "1 while the data directory's free space is below its floor (the disk is full for the server), else 0.");
        meter.CreateObservableCounter("process_cpu_seconds_total", () => Environment.CpuUsage.TotalTime.TotalSeconds, description: "CPU time used by the process (user and system).");
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, description: "The process's resident memory.");
        meter.CreateObservableGauge("dotnet_gc_heap_bytes", () => GC.GetTotalMemory(false), description: "Bytes on the managed heap.");
        meter.CreateObservableCounter("dotnet_allocated_bytes_total", () => GC.GetTotalAllocatedBytes(), description: "Bytes allocated on the managed heap.");
        meter.CreateObservableCounter("dotnet_gc_collections_total", () => GC.CollectionCount(0), description: "Garbage collections (all generations).");
    }

    public Counter<long> HttpRequests { get; }
}
