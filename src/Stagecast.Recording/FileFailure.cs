namespace Stagecast.Recording;

/// <summary>What writing or reading a recording's file throws when the file system refuses (full, too large, not allowed).</summary>
internal static class FileFailure
{
    /// <summary>
    /// IOException (ENOSPC and most errors), UnauthorizedAccessException (EACCES), and ArgumentOutOfRangeException,
    /// which .NET throws for EFBIG (a file past its size limit, RLIMIT_FSIZE or the file system's).
    /// </summary>
    public static bool Is(Exception ex) => ex is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException;
}
