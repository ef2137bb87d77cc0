using System.Diagnostics;
using System.Security.Cryptography;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Bench;

/// <summary>
/// The machine's own limits, measured with the code the node runs: signature checks of signed entries (decode and
/// verify, <see cref="SignatureCheck"/>) per algorithm on all cores, SM2 per core through BouncyCastle and through
/// OpenSSL, synced RocksDB batch writes, and SHA-256 throughput.
/// </summary>
internal static class MachineLimits
{
    public static List<BenchFigure> Run(BenchOptions options)
    {
        var figures = new List<BenchFigure>();
        foreach (var algorithm in new[] { SignatureAlgorithm.Ed25519, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.Sm2Sm3 })
        {
            var key = SigningKey.Generate(algorithm);
            var leaves = SignLeaves(key, "430100-amr", 0, algorithm == SignatureAlgorithm.Sm2Sm3 ? 3000 : 8000);
            var note = algorithm == SignatureAlgorithm.Sm2Sm3 ? $"via {key.PublicKey.Sm2Implementation} (the node's default)" : "";
            figures.Add(BenchFigure.Of($"raw verify {Name(algorithm)} entries, all cores", "sig/s", Repeat(options.Runs, () => VerifyRate(key, leaves, Environment.ProcessorCount)), note));
            figures.Add(BenchFigure.Of($"raw verify {Name(algorithm)} entries, 1 core", "sig/s", Repeat(options.Runs, () => VerifyRate(key, leaves[..(leaves.Length / 2)], 1)), note));
        }
        figures.AddRange(Sm2Implementations(options));
        figures.Add(BenchFigure.Of("raw RocksDB synced batch writes (1 entry each)", "writes/s", Repeat(options.Runs, SyncedWriteRate)));
        figures.Add(BenchFigure.Of("SHA-256, 64 KiB blocks, 1 core", "MB/s", Repeat(options.Runs, Sha256Rate)));
        figures.Add(BenchFigure.Of("SHA-256 RFC 9162 leaf hash of a 700-byte leaf, 1 core", "hashes/s", Repeat(options.Runs, LeafHashRate)));
        return figures;
    }

    public static string Name(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.EcdsaP256Sha256 => "P-256",
        SignatureAlgorithm.Sm2Sm3 => "SM2",
        _ => algorithm.ToString(),
    };

    public static List<double> Repeat(int runs, Func<double> measure)
    {
        var samples = new List<double>();
        for (var i = 0; i < runs; i++) samples.Add(measure());
        return samples;
    }

    /// <summary>License issue entries of one issuer, signed on all cores (serials from <paramref name="firstSerial"/>).</summary>
    public static byte[][] SignLeaves(SigningKey key, string issuerId, long firstSerial, int count)
    {
        var leaves = new byte[count][];
        Parallel.For(0, count, i => leaves[i] = BenchLedger.IssueLicense(key, issuerId, firstSerial + i));
        return leaves;
    }

    /// <summary>Signature checks per second as the sequencer's submitters run them, on <paramref name="threads"/> threads.</summary>
    public static double VerifyRate(SigningKey key, byte[][] leaves, int threads)
    {
        var check = Check(key);
        var sw = Stopwatch.StartNew();
        Parallel.For(0, leaves.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => check.Check(leaves[i]));
        return leaves.Length / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The check the sequencer's submitters run, for entries of the bench's log signed by <paramref name="key"/>.</summary>
    public static SignatureCheck Check(SigningKey key) => new(BenchLedger.Origin, id => id == key.Id ? key.PublicKey : null);

    /// <summary>SM2 per core and on all cores, BouncyCastle against OpenSSL over the same signatures.</summary>
    private static List<BenchFigure> Sm2Implementations(BenchOptions options)
    {
        var figures = new List<BenchFigure>();
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var messages = new byte[1000][];
        var signatures = new byte[messages.Length][];
        Parallel.For(0, messages.Length, i =>
        {
            messages[i] = RandomNumberGenerator.GetBytes(400);
            signatures[i] = key.Sign(messages[i]);
        });
        var implementations = OpenSslSm2.IsAvailable ? new[] { Sm2Implementation.BouncyCastle, Sm2Implementation.OpenSsl } : [Sm2Implementation.BouncyCastle];
        foreach (var implementation in implementations)
        {
            var note = implementation == Sm2Implementation.OpenSsl ? OpenSslSm2.Version ?? "" : "BouncyCastle.Cryptography";
            foreach (var threads in new[] { 1, Environment.ProcessorCount })
            {
                figures.Add(BenchFigure.Of($"SM2 verify via {implementation}, {(threads == 1 ? "1 core" : "all cores")}", "sig/s", Repeat(options.Runs, () =>
                {
                    var sw = Stopwatch.StartNew();
                    Parallel.For(0, messages.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
                    {
                        if (!key.PublicKey.VerifySm2With(implementation, messages[i], signatures[i])) throw new InvalidOperationException("SM2 signature refused");
                    });
                    return messages.Length / sw.Elapsed.TotalSeconds;
                }), note));
            }
        }
        // A key parsed for each signature (as an offline verifier meets keys in bundles): no per-key tables are reused.
        foreach (var implementation in implementations)
        {
            figures.Add(BenchFigure.Of($"SM2 verify via {implementation}, key parsed per signature, 1 core", "sig/s", Repeat(options.Runs, () =>
            {
                var sw = Stopwatch.StartNew();
                const int count = 300;
                for (var i = 0; i < count; i++)
                {
                    var fresh = PublicKey.FromSubjectPublicKeyInfo(key.PublicKey.SubjectPublicKeyInfo);
                    if (!fresh.VerifySm2With(implementation, messages[i], signatures[i])) throw new InvalidOperationException("SM2 signature refused");
                }
                return count / sw.Elapsed.TotalSeconds;
            })));
        }
        if (!OpenSslSm2.IsAvailable) figures.Add(new BenchFigure("SM2 verify via OpenSsl", "sig/s", 0, 0, 0, 0, "libcrypto.so.3 with SM2 not loadable here"));
        return figures;
    }

    private static double SyncedWriteRate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var db = RocksStore.Open(dir);
            var store = new LogStore(db, BenchLedger.Origin);
            var commit = new LogCommit();
            const int writes = 1000;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < writes; i++)
            {
                commit.Clear();
                commit.FirstIndex = (ulong)i;
                commit.Leaves.Add(new byte[700]);
                commit.Head = new byte[8];
                using var batch = db.CreateBatch();
                store.Add(batch, commit);
                db.Write(batch);
            }
            return writes / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private static double Sha256Rate()
    {
        var block = RandomNumberGenerator.GetBytes(64 * 1024);
        Span<byte> hash = stackalloc byte[32];
        const int blocks = 8 * 1024;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < blocks; i++) SHA256.HashData(block, hash);
        return blocks * (double)block.Length / 1e6 / sw.Elapsed.TotalSeconds;
    }

    private static double LeafHashRate()
    {
        var leaf = RandomNumberGenerator.GetBytes(700);
        const int count = 500_000;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++) MerkleLog.HashLeaf(leaf);
        return count / sw.Elapsed.TotalSeconds;
    }
}
