using CsCheck;
using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>
/// Random histories (CsCheck) of batched inserts and updates, checked against the model (a dictionary and the root
/// recomputed from the spec's definition): roots at every version, proofs of present and absent keys at every kept
/// version, every tampering of those proofs refused, pruning keeping exactly what later versions need. Keys are drawn
/// from a few families sharing long prefixes, so paths get deep (down to depth 256) and cross page boundaries. Deletion
/// is not part of the map (a ledger record's state never disappears), so histories have none. A failure prints the
/// CsCheck seed that reproduces it.
/// </summary>
public sealed class StatusMapPropertyTests
{
    private static readonly byte[][] Families = [.. Enumerable.Range(0, 4).Select(i => StatusMapKey.ForRecord($"family-{i}").ToArray())];

    /// <summary>A key sharing its first <c>shared</c> bits with a family's base key, the rest random.</summary>
    private static Hash256 FamilyKey(int family, int shared, byte[] tail)
    {
        var key = (byte[])tail.Clone();
        for (var bit = 0; bit < shared; bit++)
        {
            var mask = (byte)(0x80 >> (bit & 7));
            key[bit >> 3] = (byte)((key[bit >> 3] & ~mask) | (Families[family][bit >> 3] & mask));
        }
        return new Hash256(key);
    }

    // An operation: a new key (family, shared prefix length, tail) or an update of an existing one (pick), and a value.
    private static readonly Gen<(int Family, int Shared, byte[] Tail, bool Existing, int Pick, byte[] Value)> Operation =
        Gen.Select(Gen.Int[0, 3], Gen.Frequency((3, Gen.Int[0, 24]), (1, Gen.Int[240, 256])), Gen.Byte.Array[32], Gen.Bool, Gen.Int[0, 10_000], Gen.Byte.Array[32]);

    private static readonly Gen<(int PageHeight, (int Family, int Shared, byte[] Tail, bool Existing, int Pick, byte[] Value)[][] Batches, int Floor, int Step)> History =
        Gen.Select(Gen.Int[0, 3].Select(i => 1 << i), Operation.Array[0, 25].Array[1, 7], Gen.Int[0, 10], Gen.Int[1, 3]);

    private static List<StatusMapUpdate> Resolve(IEnumerable<(int Family, int Shared, byte[] Tail, bool Existing, int Pick, byte[] Value)> batch, Dictionary<Hash256, Hash256> records)
    {
        var keys = records.Keys.ToList();
        return [.. batch.Select(op => new StatusMapUpdate(
            op.Existing && keys.Count > 0 ? keys[op.Pick % keys.Count] : FamilyKey(op.Family, op.Shared, op.Tail),
            new Hash256(op.Value)))];
    }

    [Fact]
    public void Roots_match_the_model_at_every_version_and_proofs_verify_until_pruned()
    {
        History.Sample(h =>
        {
            var model = new StatusMapModel(h.PageHeight);
            foreach (var batch in h.Batches) model.Apply(Resolve(batch, model.Records), (ulong)h.Step);
            foreach (var (version, records) in model.Snapshots) AssertProofs(model, version, records, tamper: false);

            // Prune below a kept version: older versions go, the kept ones still prove everything.
            var versions = model.Snapshots.Keys.ToList();
            var floor = versions[h.Floor % versions.Count];
            model.Store.Apply(model.Tree.PlanPrune(floor));
            foreach (var (version, records) in model.Snapshots)
            {
                if (version < floor)
                {
                    Assert.False(model.Tree.TryGetRoot(version, out _) && version != 0);
                    Assert.False(model.Tree.TryProve(version, StatusMapKey.ForRecord("x"), out _, out _, out _) && version != 0);
                }
                else
                {
                    AssertProofs(model, version, records, tamper: version == model.Version);
                }
            }

            // Pruned to the latest version, the store holds exactly the pages of the map built afresh in one batch.
            model.Store.Apply(model.Tree.PlanPrune(model.Version));
            Assert.Equal(0, model.Store.StaleCount);
            var fresh = new StatusMapModel(h.PageHeight);
            fresh.Apply([.. model.Records.Select(r => new StatusMapUpdate(r.Key, r.Value))]);
            Assert.Equal(fresh.Store.PageCount, model.Store.PageCount);
            Assert.Equal(fresh.Store.PageBytes, model.Store.PageBytes);
        }, iter: 60);
    }

    private static void AssertProofs(StatusMapModel model, ulong version, Dictionary<Hash256, Hash256> records, bool tamper)
    {
        Assert.True(model.Tree.TryGetRoot(version, out var root));
        Assert.Equal(StatusMapModel.Root(records), root);
        var probes = records.Keys.Take(40).Select(k => (Key: k, Value: (Hash256?)records[k])).ToList();
        foreach (var family in Enumerable.Range(0, 4))
        {
            foreach (var shared in new[] { 0, 9, 200, 255 })
            {
                var key = FamilyKey(family, shared, StatusMapKey.ForRecord($"absent-{family}-{shared}").ToArray());
                probes.Add((key, records.TryGetValue(key, out var v) ? v : null));
            }
        }
        var tampered = 0;
        foreach (var (key, expected) in probes)
        {
            Assert.True(model.Tree.TryProve(version, key, out var value, out var proof, out var error), error);
            Assert.Equal(expected, value);
            var bytes = proof.ToBytes();
            Assert.True(StatusMapProofVerifier.TryVerify(root, key, value, bytes, out error), error);
            if (tamper && tampered < 3 && (tampered > 0 || expected.HasValue))
            {
                StatusMapTampering.AssertEveryTamperingRefused(root, key, value, bytes, records.ContainsKey);
                tampered++;
            }
        }
    }
}
