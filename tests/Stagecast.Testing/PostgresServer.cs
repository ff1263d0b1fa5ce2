using System.Globalization;
using System.Security.Cryptography;

namespace Stagecast.Testing;

/// <summary>
/// A real PostgreSQL server from Debian's <c>postgresql</c> package, in a temporary directory on a free loopback port,
/// with password (SCRAM) authentication. One per test process, started on first use; each test gets a database of
/// its own. PostgreSQL refuses to run as root, so under root it runs as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer
{
    private const string OwnerFile = "owner";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static int _databases;

    private readonly string _password;

    private PostgresServer(int port, string password)
    {
        Port = port;
        _password = password;
    }

    public int Port { get; }

    public const string User = "stagecast";

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A new empty database, as the URL <c>--database-url</c> takes.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = $"test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}";
        await PsqlAsync("postgres", $"CREATE DATABASE {name}");
        return Url(name);
    }

    /// <summary>The URL of a database, password and all.</summary>
    public string Url(string database) => $"postgres://{User}:{Uri.EscapeDataString(_password)}@127.0.0.1:{Port}/{database}";

    /// <summary>Runs SQL with psql as the superuser; returns its unaligned output.</summary>
    public async Task<string> PsqlAsync(string database, string sql)
    {
        var (code, output, error) = await RunAsync(Bin("psql"),
            ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            new Dictionary<string, string> { ["PGPASSWORD"] = _password });
        return code == 0 ? output.TrimEnd('\n') : throw new InvalidOperationException($"psql failed ({code}): {error}");
    }

    private static async Task<PostgresServer> StartAsync()
    {
        RemoveOrphanedClusters();
        string directory = Directory.CreateTempSubdirectory("stagecast-pg-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        string password = "pw-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "/@:x"; // characters a URL must escape
        string passwordFile = Path.Combine(directory, "pw");
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        if (Environment.UserName == "root")
        {
            await RunCheckedAsync("chown", ["-R", "postgres:postgres", directory]);
        }

        string data = Path.Combine(directory, "data");
        await RunCheckedAsync(Bin("initdb"),
            ["-D", data, "-U", User, "--pwfile", passwordFile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]);
        File.Delete(passwordFile);
        int port = FreePorts.Next();
        // fsync off: a test database need not survive power loss, and the tests run faster without it.
        await RunCheckedAsync(Bin("pg_ctl"),
        [
            "-D", data, "-l", Path.Combine(directory, "log"), "-w", "-t", "60", "start",
            "-o", $"-p {port} -c listen_addresses=127.0.0.1 -k {directory} -c fsync=off -c synchronous_commit=off -c max_connections=300",
        ]);
        var server = new PostgresServer(port, password);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAndDelete(directory);
        return server;
    }

    /// <summary>
    /// Stops and deletes the clusters of test processes that are gone. Each test process's exit handler stops and
    /// deletes its own, but the runner ends the test host before that is done (a day of runs left 137 clusters of some
    /// 350 MB, a few servers still running, and a full disk), so each new one sweeps up after the dead: a cluster whose
    /// owner (the process id in its <c>owner</c> file) no longer runs.
    /// </summary>
    private static void RemoveOrphanedClusters()
    {
        foreach (var cluster in new DirectoryInfo(Path.GetTempPath()).EnumerateDirectories("stagecast-pg-*"))
        {
            string owner = Path.Combine(cluster.FullName, OwnerFile);
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out int pid) && !Directory.Exists($"/proc/{pid}"))
            {
                StopAndDelete(cluster.FullName);
            }
        }
    }

    private static void StopAndDelete(string directory)
    {
        var (fileName, arguments) = AsOwner(Bin("pg_ctl"), ["-D", Path.Combine(directory, "data"), "-m", "immediate", "-w", "stop"]);
        using (var process = System.Diagnostics.Process.Start(fileName, arguments))
        {
            process?.WaitForExit(10_000);
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static async Task RunCheckedAsync(string fileName, string[] arguments)
    {
        var (code, output, error) = await RunAsync(fileName, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} failed ({code}): {output}{error}");
        }
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string fileName, string[] arguments, IDictionary<string, string>? environment = null)
    {
        var (file, args) = AsOwner(fileName, arguments);
        await using var process = ExternalProcess.Start(file, args, environment);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.StandardOutput, process.StandardError);
    }

    /// <summary>Under root, a PostgreSQL program runs as the postgres user (runuser); otherwise as the test's user.</summary>
    private static (string FileName, string[] Arguments) AsOwner(string fileName, string[] arguments) =>
        Environment.UserName == "root" && fileName.StartsWith(BinDirectory, StringComparison.Ordinal)
            ? ("runuser", ["-u", "postgres", "--", fileName, .. arguments])
            : (fileName, arguments);

    private static string BinDirectory { get; } =
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out int v) ? v : 0).First() + "/bin/"
            : throw new InvalidOperationException("PostgreSQL is not installed (apt-get install postgresql; test.sh does it)");

    private static string Bin(string name) => BinDirectory + name;
}
