using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Stagecast.Server.Tests;

/// <summary>
/// The release is a Native AOT binary, where nothing can emit IL at run time. The analyzers catch most reflection at
/// build time; what they cannot see is checked here, on the server's compiled assembly.
/// </summary>
public sealed class NativeAotGuardTests
{
    [Fact]
    public void EveryDapperQueryRunsCodeGeneratedAtCompileTime()
    {
        // Dapper.AOT replaces each call it can generate code for; a call it leaves alone (parameters as object or
        // DynamicParameters, a generic row type, a JSON call among the arguments) still calls Dapper's SqlMapper, which
        // emits IL for the row and parameter mapping: it would run in every test and fail only in the release.
        using var stream = File.OpenRead(typeof(StagecastApp).Assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var calls = new List<string>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference
                && metadata.GetTypeReference((TypeReferenceHandle)member.Parent) is var type
                && metadata.GetString(type.Namespace) == "Dapper" && metadata.GetString(type.Name) == "SqlMapper"
                && metadata.GetString(member.Name) is var name && (name.StartsWith("Query", StringComparison.Ordinal) || name.StartsWith("Execute", StringComparison.Ordinal)))
            {
                calls.Add(name);
            }
        }

        Assert.True(calls.Count == 0, $"calls left to Dapper's run-time code generation: {string.Join(", ", calls)}");
    }
}
