using System.Diagnostics;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.RealtimeKit.Tests;

/// <summary>
/// The protobuf schema inside an installed RealtimeKit web SDK bundle, as tests/realtimekit/extract-schema.mjs prints
/// it from the bundle's own protobuf-ts MessageType definitions: type name to fields
/// <c>{no, name, kind, T, repeat, opt}</c> (plus K and V for maps, values for enums, oneof for oneof members).
/// </summary>
internal sealed class BundleSchema
{
    private readonly JsonElement _messages;

    private BundleSchema(string version, JsonElement messages)
    {
        Version = version;
        _messages = messages;
    }

    public string Version { get; }

    /// <param name="package">The package's directory under tests/realtimekit/node_modules.</param>
    public static async Task<BundleSchema> LoadAsync(string package)
    {
        string directory = Path.Combine(Browser.RepositoryRoot(), "tests", "realtimekit");
        string packageDirectory = Path.Combine(directory, "node_modules", package);
        string manifest = await File.ReadAllTextAsync(Path.Combine(packageDirectory, "package.json"));
        var start = new ProcessStartInfo("node", [Path.Combine(directory, "extract-schema.mjs"), packageDirectory])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = node.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        if (node.ExitCode != 0)
        {
            throw new InvalidOperationException($"extract-schema.mjs exited with {node.ExitCode}: {await error}");
        }

        using var schema = JsonDocument.Parse(await output);
        using var packageJson = JsonDocument.Parse(manifest);
        return new BundleSchema(packageJson.RootElement.GetProperty("version").GetString()!, schema.RootElement.Clone());
    }

    public bool TryGetFields(string typeName, out IReadOnlyDictionary<int, JsonElement> fields)
    {
        if (!_messages.TryGetProperty(typeName, out var list))
        {
            fields = new Dictionary<int, JsonElement>();
            return false;
        }

        fields = list.EnumerateArray().ToDictionary(field => field.GetProperty("no").GetInt32());
        return true;
    }

    /// <summary>The values of an enum, from the first field of the bundle that uses it.</summary>
    public IReadOnlyDictionary<string, int>? EnumValues(string enumName) =>
        _messages.EnumerateObject()
            .SelectMany(message => message.Value.EnumerateArray())
            .Where(field => field.GetProperty("kind").GetString() == "enum"
                && field.GetProperty("T").GetString() == enumName)
            .Select(field => field.GetProperty("values").EnumerateObject()
                .ToDictionary(value => value.Name, value => value.Value.GetInt32()))
            .FirstOrDefault();
}
