using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting.Api;

/// <summary>{"success": true, "data": …}</summary>
public sealed record ApiResponse<T>(bool Success, T Data);

/// <summary>{"success": true, "data": [ … ], "paging": {…}}</summary>
public sealed record ApiListResponse<T>(bool Success, IReadOnlyList<T> Data, PagingDto Paging);

/// <summary>{"success": true, "data": {…}, "paging": {…}}: a paged answer whose data is an object (RealtimeKit's sessions lists).</summary>
public sealed record ApiPagedResponse<T>(bool Success, T Data, PagingDto Paging);

/// <summary>{"success": false, "error": {"code": status, "message": …}}</summary>
public sealed record ApiErrorResponse(bool Success, ApiError Error);

public sealed record ApiError(int Code, string Message);

/// <summary>{"message": …}: what actions without a resource to return answer.</summary>
public sealed record MessageDto(string Message);

/// <summary>1-based inclusive offsets of the page within the whole list; an empty page has both at 0.</summary>
public sealed record PagingDto(long TotalCount, long StartOffset, long EndOffset)
{
    public static PagingDto For(Paging paging, int itemCount, long totalCount) =>
        itemCount == 0
            ? new PagingDto(totalCount, 0, 0)
            : new PagingDto(totalCount, paging.Offset + 1, paging.Offset + itemCount);
}
