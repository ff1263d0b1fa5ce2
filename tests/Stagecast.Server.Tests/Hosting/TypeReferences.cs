using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The types each type of a compiled assembly uses, read from its metadata: base type and interfaces, attributes,
/// fields, method signatures and locals, and every type, method and field its IL names. A nested type (a lambda's
/// closure, an async state machine) counts as its outermost type; types are named <c>Namespace.Name</c>.
/// </summary>
public sealed class TypeReferences
{
    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes).GetFields()
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly MetadataReader _metadata;
    private readonly PEReader _pe;
    private readonly NameProvider _names;

    private TypeReferences(PEReader pe)
    {
        _pe = pe;
        _metadata = pe.GetMetadataReader();
        _names = new NameProvider(this);
    }

    /// <summary>For each type defined in the assembly (outermost types only), the types it uses.</summary>
    public static Dictionary<string, HashSet<string>> Of(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = new TypeReferences(pe);
        var uses = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var handle in reader._metadata.TypeDefinitions)
        {
            string owner = reader.NameOf(handle);
            if (!uses.TryGetValue(owner, out var used))
            {
                uses[owner] = used = new HashSet<string>(StringComparer.Ordinal);
            }

            reader.Collect(handle, used);
        }

        return uses;
    }

    /// <summary>The methods a method calls, in the order its IL calls them (declaring type, name, first parameter's type).</summary>
    public static List<(string Type, string Name, string? FirstParameter)> CallsIn(string assemblyPath, string typeName, string methodName)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var reader = new TypeReferences(pe);
        var calls = new List<(string, string, string?)>();
        foreach (var handle in reader._metadata.MethodDefinitions)
        {
            var method = reader._metadata.GetMethodDefinition(handle);
            if (reader.NameOf(method.GetDeclaringType()) != typeName || reader._metadata.GetString(method.Name) != methodName)
            {
                continue;
            }

            foreach (var token in reader.Tokens(method, calls: true))
            {
                if (reader.Called(token) is { } call)
                {
                    calls.Add(call);
                }
            }
        }

        return calls;
    }

    private void Collect(TypeDefinitionHandle handle, HashSet<string> used)
    {
        var type = _metadata.GetTypeDefinition(handle);
        if (!type.BaseType.IsNil)
        {
            used.UnionWith(Names(type.BaseType));
        }

        foreach (var implemented in type.GetInterfaceImplementations())
        {
            used.UnionWith(Names(_metadata.GetInterfaceImplementation(implemented).Interface));
        }

        AddAttributes(type.GetCustomAttributes(), used);
        foreach (var fieldHandle in type.GetFields())
        {
            var field = _metadata.GetFieldDefinition(fieldHandle);
            used.UnionWith(field.DecodeSignature(_names, null));
            AddAttributes(field.GetCustomAttributes(), used);
        }

        foreach (var propertyHandle in type.GetProperties())
        {
            AddAttributes(_metadata.GetPropertyDefinition(propertyHandle).GetCustomAttributes(), used);
        }

        foreach (var methodHandle in type.GetMethods())
        {
            var method = _metadata.GetMethodDefinition(methodHandle);
            var signature = method.DecodeSignature(_names, null);
            used.UnionWith(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes)
            {
                used.UnionWith(parameter);
            }

            AddAttributes(method.GetCustomAttributes(), used);
            if (method.RelativeVirtualAddress == 0)
            {
                continue;
            }

            var body = _pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in _metadata.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(_names, null))
                {
                    used.UnionWith(local);
                }
            }

            foreach (var token in Tokens(method, calls: false))
            {
                used.UnionWith(Names(token));
            }
        }
    }

    private void AddAttributes(CustomAttributeHandleCollection attributes, HashSet<string> used)
    {
        foreach (var attribute in attributes)
        {
            used.UnionWith(Names(_metadata.GetCustomAttribute(attribute).Constructor));
        }
    }

    /// <summary>The tokens a method's IL names (only those of calls when <paramref name="calls"/>).</summary>
    private IEnumerable<EntityHandle> Tokens(MethodDefinition method, bool calls)
    {
        if (method.RelativeVirtualAddress == 0)
        {
            yield break;
        }

        var il = _pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }

            var operand = Operands[code];
            bool isCall = code is 0x28 or 0x6F or 0x73; // call, callvirt, newobj
            switch (operand)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    int token = il.ReadInt32();
                    if (!calls || isCall)
                    {
                        yield return MetadataTokens.EntityHandle(token);
                    }

                    break;
                case OperandType.InlineSwitch:
                    int targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    il.Offset += 8;
                    break;
                case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                    il.Offset += 4;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
            }
        }
    }

    private (string Type, string Name, string? FirstParameter)? Called(EntityHandle token)
    {
        switch (token.Kind)
        {
            case HandleKind.MethodDefinition:
                var method = _metadata.GetMethodDefinition((MethodDefinitionHandle)token);
                var parameters = method.DecodeSignature(_names, null).ParameterTypes;
                return (NameOf(method.GetDeclaringType()), _metadata.GetString(method.Name), parameters.Length > 0 ? parameters[0].FirstOrDefault() : null);
            case HandleKind.MemberReference:
                var member = _metadata.GetMemberReference((MemberReferenceHandle)token);
                if (member.GetKind() != MemberReferenceKind.Method)
                {
                    return null;
                }

                var memberParameters = member.DecodeMethodSignature(_names, null).ParameterTypes;
                return (Names(member.Parent).FirstOrDefault() ?? "", _metadata.GetString(member.Name), memberParameters.Length > 0 ? memberParameters[0].FirstOrDefault() : null);
            case HandleKind.MethodSpecification:
                return Called(_metadata.GetMethodSpecification((MethodSpecificationHandle)token).Method);
            default:
                return null;
        }
    }

    /// <summary>The types a handle names: a type and its generic arguments, or a member's declaring type and signature.</summary>
    private ImmutableArray<string> Names(EntityHandle handle)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                return [NameOf((TypeDefinitionHandle)handle)];
            case HandleKind.TypeReference:
                return [NameOf((TypeReferenceHandle)handle)];
            case HandleKind.TypeSpecification:
                return _metadata.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_names, null);
            case HandleKind.MethodDefinition:
                var method = _metadata.GetMethodDefinition((MethodDefinitionHandle)handle);
                var signature = method.DecodeSignature(_names, null);
                return [NameOf(method.GetDeclaringType()), .. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];
            case HandleKind.FieldDefinition:
                var field = _metadata.GetFieldDefinition((FieldDefinitionHandle)handle);
                return [NameOf(field.GetDeclaringType()), .. field.DecodeSignature(_names, null)];
            case HandleKind.MemberReference:
                var member = _metadata.GetMemberReference((MemberReferenceHandle)handle);
                var parent = member.Parent.Kind is HandleKind.ModuleReference ? [] : Names(member.Parent);
                if (member.GetKind() == MemberReferenceKind.Field)
                {
                    return [.. parent, .. member.DecodeFieldSignature(_names, null)];
                }

                var memberSignature = member.DecodeMethodSignature(_names, null);
                return [.. parent, .. memberSignature.ReturnType, .. memberSignature.ParameterTypes.SelectMany(p => p)];
            case HandleKind.MethodSpecification:
                var specification = _metadata.GetMethodSpecification((MethodSpecificationHandle)handle);
                return [.. Names(specification.Method), .. specification.DecodeSignature(_names, null).SelectMany(a => a)];
            default:
                return [];
        }
    }

    private string NameOf(TypeDefinitionHandle handle)
    {
        var type = _metadata.GetTypeDefinition(handle);
        return type.GetDeclaringType() is { IsNil: false } outer
            ? NameOf(outer)
            : Join(_metadata.GetString(type.Namespace), _metadata.GetString(type.Name));
    }

    private string NameOf(TypeReferenceHandle handle)
    {
        var type = _metadata.GetTypeReference(handle);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? NameOf((TypeReferenceHandle)type.ResolutionScope)
            : Join(_metadata.GetString(type.Namespace), _metadata.GetString(type.Name));
    }

    private static string Join(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;

    /// <summary>Decodes signatures into the names of the types they mention.</summary>
    private sealed class NameProvider(TypeReferences owner) : ISignatureTypeProvider<ImmutableArray<string>, object?>
    {
        public ImmutableArray<string> GetArrayType(ImmutableArray<string> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<string> GetByReferenceType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetFunctionPointerType(MethodSignature<ImmutableArray<string>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];

        public ImmutableArray<string> GetGenericInstantiation(ImmutableArray<string> genericType, ImmutableArray<ImmutableArray<string>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];

        public ImmutableArray<string> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<string> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<string> GetModifiedType(ImmutableArray<string> modifier, ImmutableArray<string> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<string> GetPinnedType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetPointerType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<string> GetSZArrayType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [owner.NameOf(handle)];

        public ImmutableArray<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [owner.NameOf(handle)];

        public ImmutableArray<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
