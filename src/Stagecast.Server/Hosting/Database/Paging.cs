namespace Stagecast.Server.Hosting.Database;

/// <summary>Paging as the API defines it: 1-based page number and page size.</summary>
public readonly record struct Paging(int PageNo, int PerPage)
{
    public int Offset => (PageNo - 1) * PerPage;
}

/// <summary>One page of a list, with the total count across all pages.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long TotalCount);
