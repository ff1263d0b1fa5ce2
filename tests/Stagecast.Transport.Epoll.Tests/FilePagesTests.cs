using System.IO.MemoryMappedFiles;
using Stagecast.Testing;

namespace Stagecast.Transport.Epoll.Tests;

/// <summary>Letting go of mapped files' pages: those read only go, a page written in a private mapping stays.</summary>
public sealed class FilePagesTests : IDisposable
{
    private const int Size = 4 << 20;
    private readonly DirectoryInfo _mine = Directory.CreateTempSubdirectory("file-pages-");
    private readonly DirectoryInfo _other = Directory.CreateTempSubdirectory("file-pages-other-");

    [Fact]
    public void PagesOnlyReadAreLetGoAndReadAgainAsTheyWere()
    {
        string path = WriteFile(_mine, "read.bin");
        string other = WriteFile(_other, "read.bin");
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.Read);
        using var otherFile = MemoryMappedFile.CreateFromFile(other, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var otherView = otherFile.CreateViewAccessor(0, Size, MemoryMappedFileAccess.Read);
        TouchEveryPage(view);
        TouchEveryPage(otherView);
        Assert.True(Resident(path) >= Size / 2, $"only {Resident(path)} bytes resident after reading the file");

        long released = FilePages.Release([_mine.FullName + "/"]);

        Assert.True(released >= Size / 2, $"let go of {released} bytes");
        Assert.True(Resident(path) < Size / 8, $"{Resident(path)} bytes still resident");
        Assert.True(Resident(other) >= Size / 2, "a file in another directory lost its pages");
        Assert.Equal(Expected(Size - 1), view.ReadByte(Size - 1));
        Assert.Equal(Expected(4096 * 7), view.ReadByte(4096 * 7));
    }

    [Fact]
    public void APrivateMappingWithAWrittenPageKeepsIt()
    {
        string path = WriteFile(_mine, "private.bin");
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.CopyOnWrite);
        using var view = file.CreateViewAccessor(0, Size, MemoryMappedFileAccess.CopyOnWrite);
        TouchEveryPage(view);
        view.Write(8192, (byte)0xEE); // a private copy of that page, which the file does not have

        FilePages.Release([_mine.FullName + "/"]);

        Assert.Equal(0xEE, view.ReadByte(8192));
        Assert.True(Resident(path) >= Size / 2, "a writable mapping was let go");
    }

    public void Dispose()
    {
        _mine.Delete(recursive: true);
        _other.Delete(recursive: true);
    }

    private static byte Expected(int offset) => (byte)(offset * 31 / 4096);

    private static string WriteFile(DirectoryInfo directory, string name)
    {
        var bytes = new byte[Size];
        for (int i = 0; i < Size; i++)
        {
            bytes[i] = Expected(i);
        }

        string path = Path.Combine(directory.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void TouchEveryPage(MemoryMappedViewAccessor view)
    {
        for (int offset = 0; offset < Size; offset += 4096)
        {
            Assert.Equal(Expected(offset), view.ReadByte(offset));
        }
    }

    private static long Resident(string path) => ProcessMaps.Resident(Environment.ProcessId, path);
}
