using System.Text.Json.Nodes;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Presets;

/// <summary>Preset CRUD: names are unique in an app; a preset that participants use cannot be deleted.</summary>
public sealed class PresetService(IPresetStore store, TimeProvider time)
{
    public async Task<Preset> CreateAsync(string appId, PresetRequest request, CancellationToken cancellationToken)
    {
        var (config, permissions, ui) = PresetDocument.Apply(DefaultPresets.Template(), request.Config, request.Permissions, request.Ui);
        var now = time.GetUtcNow();
        var preset = new Preset(Guid.NewGuid().ToString(), appId, RequiredName(request), config, permissions, ui, now, now);
        return await store.CreateManyAsync([preset], cancellationToken).ConfigureAwait(false) ? preset : throw NameTaken(preset.Name);
    }

    /// <summary>PATCH merges the request into the preset; PUT replaces it (what the request leaves out takes the defaults).</summary>
    public async Task<Preset> UpdateAsync(string appId, string presetId, PresetRequest request, bool replace, CancellationToken cancellationToken)
    {
        var current = await FindAsync(appId, presetId, cancellationToken).ConfigureAwait(false);
        var baseDocuments = replace ? DefaultPresets.Template() : (current.Config, current.Permissions, current.Ui);
        var (config, permissions, ui) = PresetDocument.Apply(baseDocuments, request.Config, request.Permissions, request.Ui);
        string name = replace ? RequiredName(request) : request.Name ?? current.Name;
        var updated = current with { Name = name, Config = config, Permissions = permissions, Ui = ui, UpdatedAt = time.GetUtcNow() };
        return await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false) ? updated : throw NameTaken(name);
    }

    public async Task<Preset> DeleteAsync(string appId, string presetId, CancellationToken cancellationToken)
    {
        var preset = await FindAsync(appId, presetId, cancellationToken).ConfigureAwait(false);
        return await store.DeleteUnusedAsync(presetId, cancellationToken).ConfigureAwait(false)
            ? preset
            : throw ApiException.Conflict($"preset {preset.Name} is used by participants; change their preset first");
    }

    public async Task<Preset> FindAsync(string appId, string presetId, CancellationToken cancellationToken) =>
        await store.FindAsync(appId, presetId, cancellationToken).ConfigureAwait(false)
        ?? throw ApiException.NotFound($"No preset found with id {presetId}");

    private static string RequiredName(PresetRequest request) => request.Name ?? throw ApiException.BadRequest("\"name\" is required");

    private static ApiException NameTaken(string name) => ApiException.Conflict($"a preset named {name} already exists in this app");
}

/// <summary>The body of POST, PUT and PATCH /presets: the RealtimeKit documents, checked by <see cref="PresetDocument"/>.</summary>
public sealed record PresetRequest
{
    [System.ComponentModel.DataAnnotations.StringLength(256, MinimumLength = 1)]
    public string? Name { get; init; }

    public JsonObject? Config { get; init; }

    public JsonObject? Permissions { get; init; }

    public JsonObject? Ui { get; init; }
}
