using System.Collections;

namespace Stagecast.Media.Amf0;

/// <summary>
/// An AMF0 anonymous object or ECMA array: string keys in wire order. Values are <see cref="double"/>,
/// <see cref="bool"/>, <see cref="string"/>, <c>null</c>, <see cref="AmfUndefined"/>, <see cref="AmfObject"/>,
/// <c>object?[]</c> (strict array) or <see cref="DateTimeOffset"/>.
/// </summary>
public sealed class AmfObject : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly OrderedDictionary<string, object?> _properties = new(StringComparer.Ordinal);

    public AmfObject(bool isEcmaArray = false) => IsEcmaArray = isEcmaArray;

    /// <summary>True when this came from (or is written as) an ECMA array rather than an object.</summary>
    public bool IsEcmaArray { get; }

    public int Count => _properties.Count;

    /// <summary>Gets a property or null; setting replaces an existing key (a repeated key on the wire: last wins).</summary>
    public object? this[string key]
    {
        get => _properties.TryGetValue(key, out object? value) ? value : null;
        set => _properties[key] = value;
    }

    /// <summary>Collection-initializer support.</summary>
    public void Add(string key, object? value) => _properties[key] = value;

    public bool ContainsKey(string key) => _properties.ContainsKey(key);

    public string? GetString(string key) => this[key] as string;

    public double? GetNumber(string key) => this[key] is double d ? d : null;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
