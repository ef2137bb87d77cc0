using BenchmarkDotNet.Attributes;
using Huren.Node.Auth;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Bench.Micro;

/// <summary>The node's per-entry hot paths, with allocations: leaf hashing, decoding, signature checks.</summary>
[MemoryDiagnoser]
public class EntryBenchmarks
{
    private byte[] _leaf = [];
    private SignatureCheck _check = null!;
    private Entry _entry = null!;

    [Params(SignatureAlgorithm.Ed25519, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.Sm2Sm3)]
    public SignatureAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var key = SigningKey.Generate(Algorithm);
        _leaf = BenchLedger.IssueLicense(key, "430100-amr", 42);
        _check = new SignatureCheck(BenchLedger.Origin, id => id == key.Id ? key.PublicKey : null);
        _entry = LeafReader.Read(_leaf).Entry;
    }

    /// <summary>RFC 9162 leaf hash of one license issue entry (the sequencer hashes every leaf once).</summary>
    [Benchmark]
    public byte[] LeafHash() => MerkleLog.HashLeaf(_leaf);

    /// <summary>Canonical decode of the SignedEntry and its Entry, no signature check.</summary>
    [Benchmark]
    public bool Decode() => LeafReader.TryRead(_leaf, out _, out _);

    /// <summary>What a submitter's thread does per entry before the sequencer: decode, resolve the key, verify.</summary>
    [Benchmark]
    public DecodedLeaf DecodeAndVerify() => _check.Check(_leaf);

    /// <summary>The body's decode and field rules (<c>EntryValidator</c>), which every node runs after the signature check.</summary>
    [Benchmark]
    public bool ValidateBody() => EntryValidator.Validate(_entry, out _).IsValid;
}

/// <summary>Inclusion proof generation in a log of 1,048,576 + 3 leaves, from RocksDB (as the node serves evidence) and from memory.</summary>
[MemoryDiagnoser]
public class ProofBenchmarks
{
    private const ulong Leaves = (1 << 20) + 3;
    private string _dir = "";
    private RocksStore? _db;
    private MerkleLog _rocks = null!;
    private MerkleLog _memory = null!;
    private ulong _index;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "huren-bench-proof-" + Guid.NewGuid().ToString("N"));
        _db = RocksStore.Open(_dir);
        _rocks = Fill(new MerkleLog(new LogStore(_db, BenchLedger.Origin)));
        _memory = Fill(new MerkleLog(new LogStore(new MemoryStore(), BenchLedger.Origin)));
    }

    private static MerkleLog Fill(MerkleLog log)
    {
        var commit = new LogCommit();
        var leaf = new byte[64];
        for (ulong i = 0; i < Leaves;)
        {
            commit.Clear();
            var staging = log.BeginStaging(commit);
            // Small leaves: the proof only reads tree nodes, so leaf size does not matter here.
            for (var n = 0; n < 65_536 && i < Leaves; n++, i++)
            {
                BitConverter.TryWriteBytes(leaf, i);
                staging.Append(leaf, MerkleLog.HashLeaf(leaf), "r");
            }
            log.Commit(staging);
        }
        return log;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db?.Dispose();
        Directory.Delete(_dir, true);
    }

    [Benchmark]
    public List<byte[]> InclusionProofRocksDb() => _rocks.InclusionProof(_index = (_index + 7_919) % Leaves, Leaves);

    [Benchmark]
    public List<byte[]> InclusionProofMemory() => _memory.InclusionProof(_index = (_index + 7_919) % Leaves, Leaves);
}

/// <summary>
/// The node's check of a call credential: a repeated one (a client's credential for one method within one second,
/// remembered after its first verification) against a new one each time (an Ed25519 verification per call).
/// </summary>
[MemoryDiagnoser]
public class CredentialBenchmarks
{
    private const string Method = "/huren.v1.Ledger/Submit";
    // More distinct credentials than the node remembers (4,096), so cycling through them nearly always misses.
    private readonly string[] _fresh = new string[5000];
    private ClientRegistry _registry = null!;
    private string _repeated = "";
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var clients = new Dictionary<string, ClientOptions>
        {
            ["amr"] = new() { Role = "issuer", IssuerId = "430100-amr", PublicKey = key.PublicKey.ToPem() },
        };
        _registry = new ClientRegistry(clients, Path.GetTempPath(), TimeProvider.System, "430100");
        var now = DateTimeOffset.UtcNow;
        _repeated = CallCredential.Create("amr", "430100", key, Method, now);
        for (var i = 0; i < _fresh.Length; i++) _fresh[i] = CallCredential.Create("amr", "430100", key, Method + i, now);
    }

    [Benchmark(Baseline = true)]
    public ClientPrincipal? NewCredential()
    {
        var i = _next++ % _fresh.Length;
        return _registry.Authenticate(_fresh[i], Method + i, out _);
    }

    [Benchmark]
    public ClientPrincipal? RepeatedCredential() => _registry.Authenticate(_repeated, Method, out _);
}
