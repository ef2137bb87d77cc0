using Huren.Node.Checkpoints;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Log;

public class ConcurrencyTests
{
    private const string Origin = "huren.conc/430100";

    [Fact]
    public async Task Concurrent_submitters_get_distinct_gapless_indexes_whose_proofs_verify_against_the_next_checkpoint()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var noteSigner = new CheckpointSigner(Origin, key, null);
        var verifier = new CheckpointVerifier(noteSigner.LogVerifierKey);
        using var db = RocksStore.Open(dir.Path);
        var log = new MerkleLog(new LogStore(db, Origin));
        var checkpoints = new CheckpointWriter(log, (size, root, extensions) => noteSigner.Sign(size, root, extensions).ToUtf8(), TimeSpan.Zero, TimeProvider.System);
        var sequencer = Sequencer.Over(log, new SignatureOnlyAdmission(new SignatureCheck(Origin, id => id == key.Id ? key.PublicKey : null)),
            [checkpoints], new SequencerOptions { MaxBatchSize = 128, MaxBatchDelay = TimeSpan.FromMilliseconds(2) }, NullLogger.Instance);

        const int submitters = 12, perSubmitter = 400;
        var results = new (ulong Index, byte[] LeafHash, byte[] Leaf)[submitters * perSubmitter];
        var tasks = Enumerable.Range(0, submitters).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < perSubmitter; i++)
            {
                var entry = new Entry
                {
                    Kind = EntryKinds.LicenseUse, RecordId = $"c-{s}-{i}", IssuerId = "conc", Origin = Origin, TimeUnixMs = 1_795_000_000_000 + i,
                    SchemaId = "huren.license.used", SchemaVersion = 1, Body = [(byte)s, (byte)i],
                };
                var leaf = EntrySigner.SignToLeaf(entry, key);
                var r = await sequencer.SubmitAsync(leaf);
                Assert.False(r.Duplicate);
                results[s * perSubmitter + i] = (r.Index, r.LeafHash, leaf);
            }
        })).ToArray();
        await Task.WhenAll(tasks);

        // Resubmitting identical bytes is answered with the existing index, not appended twice.
        var again = await sequencer.SubmitAsync(results[7].Leaf);
        Assert.True(again.Duplicate);
        Assert.Equal(results[7].Index, again.Index);
        await sequencer.DisposeAsync();

        var total = (ulong)(submitters * perSubmitter);
        Assert.Equal(total, log.Size);
        Assert.Equal(Enumerable.Range(0, (int)total).Select(i => (ulong)i), results.Select(r => r.Index).Order());

        var latest = log.Store.GetLatestCheckpoint()!.Value;
        var checkpoint = verifier.Verify(latest.Note);
        Assert.True(checkpoint.IsValid, checkpoint.Failure);
        Assert.Equal(total, checkpoint.Checkpoint!.Size);
        var root = new Hash256(checkpoint.Checkpoint.RootHash);
        foreach (var (index, leafHash, leaf) in results)
        {
            Assert.Equal(MerkleHash.LeafHash(leaf).ToArray(), leafHash);
            var proof = log.InclusionProof(index, total);
            Assert.True(MerkleProofVerifier.TryVerifyInclusion(index, total, leafHash, proof, root.AsSpan(), out var error), error);
        }
    }
}
