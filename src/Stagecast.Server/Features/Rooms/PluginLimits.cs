using System.Text;
using System.Text.Unicode;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What a meeting's plugins may hold: ids, store names and keys of at most 256 characters, values of at most 16 KiB,
/// 1,000 keys a store, 64 stores and 1 MiB a meeting (keys' names, values and <see cref="KeyOverheadBytes"/> a key),
/// 16 plugins open at once. Past a bound a write is refused (400, 413 or 429) naming it; nothing already held changes.
/// </summary>
public static class PluginLimits
{
    public const int MaxNameLength = 256;
    public const int MaxValueBytes = 16 * 1024;
    public const int MaxKeysPerStore = 1000;
    public const int MaxStores = 64;
    public const long MaxBytesPerMeeting = 1024 * 1024;
    public const int MaxActivePlugins = 16;

    /// <summary>
    /// What a key costs beyond its name and value, in the meeting's bound and in what a write sends each peer: its entry,
    /// the writer's peer id and the time, held and sent with it. So keys with empty values are bounded too.
    /// </summary>
    public const int KeyOverheadBytes = 128;

    /// <summary>A plugin's id, a store's name or a key (<paramref name="what"/>): 1 to <see cref="MaxNameLength"/> characters.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            throw new DomainException(DomainError.BadRequest, $"a plugin {what} must be 1 to {MaxNameLength} characters");
        }
    }

    /// <summary>
    /// A store's value, a plugin's descriptor or its event (<paramref name="what"/>) of <paramref name="name"/>: at most
    /// <see cref="MaxValueBytes"/> of JSON in UTF-8 (a store value may also be empty: RealtimeKit's SDK sends none for
    /// <c>undefined</c>). Every reader parses it, and the JSON channel sends it in text frames, which a browser closes on
    /// bytes that are not UTF-8: checked as it enters the room, whichever front end it came through.
    /// </summary>
    public static void CheckValue(ReadOnlyMemory<byte> value, string what, string name, bool mayBeEmpty = false)
    {
        if (value.Length > MaxValueBytes)
        {
            throw new DomainException(DomainError.TooLarge, $"a plugin {what} may be at most {MaxValueBytes} bytes (\"{name}\" has {value.Length})");
        }

        if (!Utf8.IsValid(value.Span))
        {
            throw new DomainException(DomainError.BadRequest, $"a plugin {what} must be UTF-8 text (\"{name}\" is not)");
        }

        if (!(mayBeEmpty && value.IsEmpty) && !JsonSyntax.IsValue(value.Span))
        {
            throw new DomainException(DomainError.BadRequest, $"a plugin {what} must be JSON (\"{name}\" is not)");
        }
    }

    /// <summary>What a key costs toward <see cref="MaxBytesPerMeeting"/> and the writer's budget: its name, its value and <see cref="KeyOverheadBytes"/>.</summary>
    public static long CostOf(string key, int valueBytes) => Encoding.UTF8.GetByteCount(key) + valueBytes + KeyOverheadBytes;
}
