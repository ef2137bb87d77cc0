using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>The <c>statusProofs</c> element: its JSON form, and its check against a checkpoint's status-map line.</summary>
public sealed class BundleStatusProofTests
{
    private const string Origin = "huren.cz-t/430100";
    private const string Revoked = "430100-amr-2026-000007";
    private static readonly StatusMapModel Map = MakeMap();
    private static readonly Checkpoint Checkpoint = CheckpointOf(Map);

    private static StatusMapModel MakeMap()
    {
        var model = new StatusMapModel();
        model.Apply([.. Enumerable.Range(0, 200).Select(i => StatusMapUpdate.ForRecord($"430100-amr-2026-{i:D6}", MerkleHash.LeafHash([(byte)i])))], step: 250);
        model.Apply([StatusMapUpdate.ForRecord(Revoked, MerkleHash.LeafHash("revocation"u8))], step: 3);
        return model;
    }

    private static Checkpoint CheckpointOf(StatusMapModel model)
    {
        Assert.True(model.Tree.TryGetRoot(model.Version, out var root));
        return new Checkpoint(Origin, model.Version, MerkleHash.LeafHash("log root"u8).AsSpan(), [StatusMapLine.Format(root)]);
    }

    private static BundleStatusProof ProofOf(string recordId, ulong? version = null)
    {
        var v = version ?? Map.Version;
        Assert.True(Map.Tree.TryGetRoot(v, out var root));
        Assert.True(Map.Tree.TryProve(v, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error), error);
        return BundleStatusProof.Create(Origin, v, recordId, root, value, proof);
    }

    private static BundleStatusProof RoundTrip(BundleStatusProof proof)
    {
        Assert.True(BundleStatusProof.TryRead(proof.ToJsonElement(), out var read, out var error), error);
        return read;
    }

    private static string Refused(BundleStatusProof proof, Checkpoint? checkpoint = null)
    {
        Assert.False(proof.TryVerify(checkpoint ?? Checkpoint, out _, out var error));
        return error;
    }

    [Fact]
    public void A_present_record_proves_its_latest_state_through_a_bundle()
    {
        var bundle = new EvidenceBundle { Network = "cz-t", Subject = Revoked };
        bundle.StatusProofs.Add(ProofOf(Revoked).ToJsonElement());
        var parsed = EvidenceBundle.Parse(bundle.ToJson());
        Assert.True(BundleStatusProof.TryRead(parsed.StatusProofs.Single(), out var read, out var error), error);
        Assert.True(read.TryVerify(Checkpoint, out var value, out error), error);
        Assert.Equal(MerkleHash.LeafHash("revocation"u8), value);
    }

    [Fact]
    public void An_absent_record_is_written_with_an_explicit_null_and_proves_absence()
    {
        var proof = ProofOf("430100-amr-2026-999999");
        Assert.Null(proof.Value);
        var json = proof.ToJsonElement();
        Assert.Equal(JsonValueKind.Null, json.GetProperty("value").ValueKind);
        Assert.Equal(["origin", "treeSize", "recordId", "key", "value", "mapRoot", "proof"], json.EnumerateObject().Select(p => p.Name));
        Assert.True(RoundTrip(proof).TryVerify(Checkpoint, out var value, out var error), error);
        Assert.Null(value);
    }

    [Fact]
    public void A_proof_against_an_older_version_is_checked_against_that_checkpoint()
    {
        var old = ProofOf(Revoked, 250);
        var oldCheckpoint = new Checkpoint(Origin, 250, MerkleHash.LeafHash("older log root"u8).AsSpan(),
            [StatusMapLine.Format(StatusMapModel.Root(Map.Snapshots[250]))]);
        Assert.True(old.TryVerify(oldCheckpoint, out var value, out var error), error);
        Assert.Equal(MerkleHash.LeafHash([7]), value);
        Assert.Contains("against size 250, the checkpoint is at size 253", Refused(old), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_mismatch_with_the_checkpoint_or_the_record_is_refused_with_its_reason()
    {
        var good = ProofOf(Revoked);
        BundleStatusProof With(Action<BundleStatusProof> change)
        {
            var copy = RoundTrip(good);
            change(copy);
            return copy;
        }

        Assert.Contains("for origin 'huren.cz-t/430200'", Refused(With(p => p.Origin = "huren.cz-t/430200")), StringComparison.Ordinal);
        Assert.Contains("against size 252", Refused(With(p => p.TreeSize = 252)), StringComparison.Ordinal);
        Assert.Contains("has no 'huren-status-map/v1' line", Refused(good, new Checkpoint(Origin, Map.Version, MerkleHash.EmptyRoot.AsSpan())), StringComparison.Ordinal);
        Assert.Contains("the checkpoint's status-map line says", Refused(With(p => p.MapRoot = StatusMapHash.EmptyRoot.ToBase64())), StringComparison.Ordinal);
        Assert.Contains("mapRoot is not the canonical base64", Refused(With(p => p.MapRoot = "AAAA")), StringComparison.Ordinal);
        Assert.Contains("key is not SHA-256 of record id", Refused(With(p => p.RecordId = "430100-amr-2026-000008")), StringComparison.Ordinal);
        Assert.Contains("key is not SHA-256 of record id", Refused(With(p => p.Key = StatusMapKey.ForRecord("x").ToBase64())), StringComparison.Ordinal);
        Assert.Contains("recordId is empty", Refused(With(p => p.RecordId = "")), StringComparison.Ordinal);
        Assert.Contains("leads to map root", Refused(With(p => p.Value = MerkleHash.LeafHash([7]).ToBase64())), StringComparison.Ordinal);
        Assert.Contains("claimed absent", Refused(With(p => p.Value = null)), StringComparison.Ordinal);
        Assert.Contains("value is not the canonical base64", Refused(With(p => p.Value = "abc")), StringComparison.Ordinal);
        Assert.Contains("proof is not canonical base64", Refused(With(p => p.Proof = p.Proof + "\n")), StringComparison.Ordinal);
        Assert.Contains("trailing bytes", Refused(With(p => p.Proof = Convert.ToBase64String([.. Convert.FromBase64String(p.Proof), 0]))), StringComparison.Ordinal);
        var absent = ProofOf("430100-amr-2026-999999");
        Assert.Contains("a value is claimed", Refused(With(p => p.Proof = absent.Proof)), StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_keeps_every_field_and_each_refusal_is_worded_exactly()
    {
        var blank = new BundleStatusProof();
        Assert.Equal(("", 0ul, "", "", (string?)null, "", ""), (blank.Origin, blank.TreeSize, blank.RecordId, blank.Key, blank.Value, blank.MapRoot, blank.Proof));
        var good = ProofOf(Revoked);
        Assert.Equal((Origin, Map.Version, Revoked, StatusMapKey.ForRecord(Revoked).ToBase64()), (good.Origin, good.TreeSize, good.RecordId, good.Key));
        var read = RoundTrip(good);
        Assert.Equal((good.Origin, good.TreeSize, good.RecordId, good.Key, good.Value, good.MapRoot, good.Proof),
            (read.Origin, read.TreeSize, read.RecordId, read.Key, read.Value, read.MapRoot, read.Proof));
        Assert.Equal("proof", Assert.Throws<ArgumentNullException>(() => BundleStatusProof.Create(Origin, 1, Revoked, StatusMapHash.EmptyRoot, null, null!)).ParamName);
        BundleStatusProof With(Action<BundleStatusProof> change)
        {
            var copy = RoundTrip(good);
            change(copy);
            return copy;
        }

        Assert.False(good.TryVerify(null!, out var value, out var error));
        Assert.Equal(("no checkpoint to check the status proof against", (Hash256?)null), (error, value));
        Assert.True(StatusMapLine.TryFind(Checkpoint, out var root, out _));
        Assert.Equal($"status proof is for origin 'huren.cz-t/430200', the checkpoint is of '{Origin}'", Refused(With(p => p.Origin = "huren.cz-t/430200")));
        Assert.Equal($"status proof is against size 252, the checkpoint is at size {Map.Version}", Refused(With(p => p.TreeSize = 252)));
        Assert.Equal("status proof: mapRoot is not the canonical base64 of 32 bytes", Refused(With(p => p.MapRoot = "AAAA")));
        Assert.Equal($"status proof is against map root {StatusMapHash.EmptyRoot}, the checkpoint's status-map line says {root}", Refused(With(p => p.MapRoot = StatusMapHash.EmptyRoot.ToBase64())));
        Assert.Equal("status proof: recordId is empty", Refused(With(p => p.RecordId = "")));
        Assert.Equal("status proof: recordId is not valid Unicode", Refused(With(p => p.RecordId = "\ud800")));
        Assert.Equal($"status proof: key is not SHA-256 of record id '{Revoked}' ({StatusMapKey.ForRecord(Revoked)})", Refused(With(p => p.Key = "not base64")));
        Assert.Equal("status proof: value is not the canonical base64 of 32 bytes", Refused(With(p => p.Value = "abc")));
        Assert.Equal("status proof: proof is not canonical base64", Refused(With(p => p.Proof = null!)));
        Assert.StartsWith($"status proof for '{Revoked}' refused: ", Refused(With(p => p.Value = null)), StringComparison.Ordinal);

        var json = JsonNode.Parse(good.ToJsonElement().GetRawText())!.AsObject();
        string ReadError(Action<JsonObject> change)
        {
            var copy = JsonNode.Parse(json.ToJsonString())!.AsObject();
            change(copy);
            Assert.False(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement(copy), out var none, out var reason));
            Assert.Null(none);
            return reason;
        }
        Assert.Equal("status proof: origin is missing or not a string", ReadError(j => j.Remove("origin")));
        Assert.Equal("status proof: proof is missing or not a string", ReadError(j => j["proof"] = 1));
        Assert.Equal("status proof: treeSize is missing or not an unsigned integer", ReadError(j => j["treeSize"] = "252"));
        Assert.Equal("status proof: value is missing or neither a string nor null (null, written out, means absent)", ReadError(j => j.Remove("value")));
        Assert.False(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement("text"), out _, out var kind));
        Assert.Equal("status proof is a JSON String, not an object", kind);
    }

    [Fact]
    public void Reading_refuses_missing_fields_and_wrong_kinds_and_ignores_unknown_fields()
    {
        var json = JsonNode.Parse(ProofOf(Revoked).ToJsonElement().GetRawText())!.AsObject();
        json["comment"] = "ignored";
        Assert.True(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement(json), out _, out _));
        foreach (var name in new[] { "origin", "treeSize", "recordId", "key", "value", "mapRoot", "proof" })
        {
            var copy = JsonNode.Parse(json.ToJsonString())!.AsObject();
            copy.Remove(name);
            Assert.False(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement(copy), out _, out var error), name);
            Assert.Contains(name, error, StringComparison.Ordinal);
            copy[name] = 12.5;
            Assert.False(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement(copy), out _, out _), name);
        }
        Assert.False(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement(new[] { 1 }), out _, out var reason));
        Assert.Contains("not an object", reason, StringComparison.Ordinal);
        var negative = JsonNode.Parse(json.ToJsonString())!.AsObject();
        negative["treeSize"] = -1;
        Assert.False(BundleStatusProof.TryRead(JsonSerializer.SerializeToElement(negative), out _, out _));
    }
}
