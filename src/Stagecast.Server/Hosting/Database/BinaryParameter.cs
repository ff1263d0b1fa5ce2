using System.Data;
using Dapper;

namespace Stagecast.Server.Hosting.Database;

/// <summary>
/// A <c>byte[]</c> query parameter (a hash, a sealed key, a webhook body), bound as one binary value. Dapper.AOT 1.1
/// takes every array member of a parameter object for a list to expand (<c>IN @ids</c>), byte arrays included, which
/// turns <c>@hash</c> into <c>(@hash1, @hash2, …)</c>; a member of this type binds itself instead.
/// </summary>
public readonly record struct BinaryParameter(byte[]? Value) : SqlMapper.ICustomQueryParameter
{
    public void AddParameter(IDbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbType.Binary;
        parameter.Value = Value ?? (object)DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
