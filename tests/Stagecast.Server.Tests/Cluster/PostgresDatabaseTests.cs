using Dapper;
using Stagecast.Server.Hosting.Database;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Cluster;

/// <summary>PostgreSQL as the store, on a real server from Debian's package: migrations, URLs, and a server's state in it.</summary>
public sealed class PostgresDatabaseTests
{
    [Fact]
    public async Task NodesStartingAtOnceMigrateTheSchemaOnce()
    {
        var postgres = await PostgresServer.GetAsync();
        string url = await postgres.CreateDatabaseAsync();
        var nodes = Enumerable.Range(0, 4).Select(_ => new PostgresDatabase(url)).ToList();

        await Task.WhenAll(nodes.Select(n => n.MigrateAsync(CancellationToken.None)));

        var versions = await nodes[0].WithConnectionAsync(c => c.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version"), CancellationToken.None);
        Assert.Equal(SqlMigrator.Scripts("Postgres").Select(s => s.Version), versions);
        await nodes[1].MigrateAsync(CancellationToken.None); // and again later: nothing to do, nothing fails
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public void UrlsBecomeConnectionStringsWithTheirEscapedUserAndPassword()
    {
        string connection = PostgresDatabase.ToConnectionString("postgres://app%40x:p%2Fw%3Ad@db.example:6432/stage?sslmode=require");
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connection);
        Assert.Equal(("db.example", 6432, "stage", "app@x", "p/w:d", Npgsql.SslMode.Require),
            (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password, builder.SslMode));
        Assert.Equal(5432, new Npgsql.NpgsqlConnectionStringBuilder(PostgresDatabase.ToConnectionString("postgresql://u@h/d")).Port);
    }

    [Fact]
    public async Task AServerKeepsItsStateInPostgresAndFindsItAgainAfterARestart()
    {
        var postgres = await PostgresServer.GetAsync();
        string url = await postgres.CreateDatabaseAsync();
        string database = new Uri(url).AbsolutePath.Trim('/');
        string dataDir = Directory.CreateTempSubdirectory("stagecast-pg-node-").FullName;
        string[] args = ["--database-url", url, "--data-dir", dataDir];
        StagecastApiClient api;
        CreatedLivestream livestream;
        await using (var first = (await ServerFixture.StartAsync(args)).AsAsyncDisposable(out var server))
        {
            api = await server.NewTenantAsync();
            livestream = await api.CreateLivestreamAsync("in-postgres");
        }

        Assert.Equal("in-postgres", await postgres.PsqlAsync(database, $"SELECT name FROM livestreams WHERE id = '{livestream.Id}'"));
        Assert.False(File.Exists(Path.Combine(dataDir, "stagecast.db"))); // nothing went to SQLite

        // The restarted server (new ports) knows the token and the livestream, stream key and all.
        await using var second = (await ServerFixture.StartAsync(args)).AsAsyncDisposable(out var restarted);
        var reply = await api.WithBase(restarted.HttpBase).GetAsync($"/livestreams/{livestream.Id}");
        Assert.Equal(System.Net.HttpStatusCode.OK, reply.Status);
        Assert.Equal(livestream.StreamKey, reply.Data.GetProperty("livestream").GetProperty("stream_key").GetString());
        Directory.Delete(dataDir, recursive: true);
    }
}
