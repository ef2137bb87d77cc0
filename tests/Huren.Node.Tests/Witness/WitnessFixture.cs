using Huren.Node.Network;
using System.Text;
using Huren.Node.Storage;
using Huren.Node.Witness;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests;
using Microsoft.Extensions.Logging;
using Prometheus;
using CityWitness = Huren.Node.Witness.Witness;

namespace Huren.Node.Tests.Witness;

/// <summary>A clock set by the test.</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Log lines kept for assertions.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public List<(LogLevel Level, string Message)> Lines { get; } = [];

    /// <summary>The exception logged with each line of <see cref="Lines"/>, in the same order.</summary>
    public List<Exception?> Exceptions { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Lines)
        {
            Lines.Add((logLevel, formatter(state, exception)));
            Exceptions.Add(exception);
        }
    }
}

/// <summary>One member city: its log keys, its witness key, and a log (an in-memory RFC 9162 tree) to sign checkpoints of.</summary>
internal sealed class TestCity
{
    public TestCity(string cityCode, bool withSm2)
    {
        CityCode = cityCode;
        Origin = $"huren.{WitnessFixture.NetworkId}/{cityCode}";
        LogKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        Sm2Key = withSm2 ? SigningKey.Generate(SignatureAlgorithm.Sm2Sm3) : null;
        WitnessKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        Signer = new CheckpointSigner(Origin, LogKey, Sm2Key);
    }

    public string CityCode { get; }

    public string Origin { get; }

    public SigningKey LogKey { get; }

    public SigningKey? Sm2Key { get; }

    public SigningKey WitnessKey { get; }

    public CheckpointSigner Signer { get; }

    public NoteVerifierKey LogVerifierKey => NoteVerifierKey.ForEd25519(Origin, LogKey.PublicKey);

    public NoteVerifierKey WitnessVerifierKey => NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(Origin), WitnessKey.PublicKey);

    public NetworkMember Member() => new()
    {
        CityCode = CityCode,
        Name = "city " + CityCode,
        Origin = Origin,
        LogKey = LogVerifierKey.ToString(),
        WitnessKey = WitnessVerifierKey.ToString(),
        Sm2PublicKey = Sm2Key?.PublicKey.ToPem() ?? "",
        RootKey = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.ToPem(),
        Endpoint = "https://127.0.0.1:0",
    };

    /// <summary>A log of <paramref name="size"/> leaves named by <paramref name="branch"/> from leaf <paramref name="forkAt"/> on.</summary>
    public static MemoryMerkleTree Tree(int size, string branch = "a", int forkAt = 0)
    {
        var tree = new MemoryMerkleTree();
        for (var i = 0; i < size; i++) tree.Append(Encoding.UTF8.GetBytes(i < forkAt ? $"entry {i}" : $"entry {i} of {branch}"));
        return tree;
    }

    /// <summary>The checkpoint of the first <paramref name="size"/> leaves of <paramref name="tree"/>, signed by this city.</summary>
    public string Note(MemoryMerkleTree tree, ulong size) => Signer.Sign(size, tree.RootAt(size).AsSpan()).ToString();
}

/// <summary>
/// Changsha's witness over a real RocksDB database in a temporary folder, in a three-city network (Changsha 430100,
/// Zhuzhou 430200 with an SM2 checkpoint key, Xiangtan 430300) whose checkpoints are really signed.
/// </summary>
internal sealed class WitnessFixture : IDisposable
{
    public const string NetworkId = "cz-t";

    /// <summary>2024-06-01 10:00 in China.</summary>
    public static readonly DateTimeOffset Start = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly TempDir _dir = new();
    private RocksStore? _db;

    public WitnessFixture()
    {
        Changsha = new TestCity("430100", withSm2: false);
        Zhuzhou = new TestCity("430200", withSm2: true);
        Xiangtan = new TestCity("430300", withSm2: false);
        Config = new NetworkConfig
        {
            NetworkId = NetworkId,
            Name = "长株潭",
            WitnessThreshold = 1,
            Members = [Changsha.Member(), Zhuzhou.Member(), Xiangtan.Member()],
        };
        Network = new NetworkView(Config);
        Counters = new WitnessMetrics(Registry);
        Witness = Open();
    }

    public TestCity Changsha { get; }

    public TestCity Zhuzhou { get; }

    public TestCity Xiangtan { get; }

    public NetworkConfig Config { get; }

    public NetworkView Network { get; }

    public TestClock Clock { get; } = new(Start);

    public ListLogger<CityWitness> Log { get; } = new();

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public WitnessMetrics Counters { get; }

    /// <summary>The witness under test (Changsha's).</summary>
    public CityWitness Witness { get; private set; }

    /// <summary>The other members' witness keys, as a verifier of Zhuzhou's checkpoints knows them.</summary>
    public NoteVerifierKey[] WitnessKeysFor(TestCity city)
        => [.. new[] { Changsha, Zhuzhou, Xiangtan }.Where(c => c != city).Select(c => c.WitnessVerifierKey)];

    /// <summary>The registry in the Prometheus text format.</summary>
    public string MetricsText()
    {
        using var stream = new MemoryStream();
        Registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Closes the database and opens a new witness over the same folder (a node restart).</summary>
    public CityWitness Reopen()
    {
        _db?.Dispose();
        _db = null;
        Witness = Open();
        return Witness;
    }

    public void Dispose()
    {
        _db?.Dispose();
        _dir.Dispose();
    }

    private CityWitness Open()
    {
        _db = RocksStore.Open(_dir.Path);
        return new CityWitness(WitnessState.Open(_db, Clock), Network, Changsha.Origin, Changsha.WitnessKey, Clock, Counters, Log);
    }
}

/// <summary>Proof helpers.</summary>
internal static class Proofs
{
    public static List<byte[]> Consistency(MemoryMerkleTree tree, ulong oldSize, ulong newSize)
        => [.. tree.ConsistencyProof(oldSize, newSize).Select(h => h.ToArray())];
}
