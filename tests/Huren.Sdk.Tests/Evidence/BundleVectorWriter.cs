using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>Runs only with <c>HUREN_WRITE_BUNDLE_VECTORS=1</c>: the vectors are made once and committed.</summary>
public sealed class VectorWriterFactAttribute : FactAttribute
{
    public VectorWriterFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("HUREN_WRITE_BUNDLE_VECTORS") != "1") Skip = "set HUREN_WRITE_BUNDLE_VECTORS=1 to write the evidence vectors again";
    }
}

/// <summary>
/// Writes the evidence-bundle vectors of <see cref="BundleVectorTests"/> into the source tree: a two-city test network
/// (Changsha's log, Zhuzhou as its witness, threshold 1) made of real keys, Changsha's log built with the SDK's own
/// Merkle tree, entry signer, checkpoint signer and cosigner, bundles in the node's huren-evidence/v1 layout, and
/// tampered variants, each listed in <c>cases.json</c> with the outcome it must have.
/// </summary>
public sealed class BundleVectorWriter
{
    private const string Changsha = "huren.cz-t/430100";
    private const string Zhuzhou = "huren.cz-t/430200";
    private static readonly DateTimeOffset At = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));

    private readonly List<JsonObject> _cases = [];
    private string _dir = "";

    private static string SourceFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Huren.Sdk.Tests", "Evidence", "Vectors");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/Huren.Sdk.Tests/Evidence/Vectors not found above the test assembly");
    }

    [VectorWriterFact]
    public void Write_the_evidence_vectors()
    {
        _dir = SourceFolder();
        foreach (var old in Directory.EnumerateFiles(_dir, "*.json")) File.Delete(old);

        var csLog = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var csSm2 = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var csRoot = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var zzWitness = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var amr = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
        var checkpointSigner = new CheckpointSigner(Changsha, csLog, csSm2);
        var network = new NetworkConfig { NetworkId = "cz-t", Name = "证据向量测试网", WitnessThreshold = 1 };
        network.Members.Add(Member("430100", Changsha, checkpointSigner.LogVerifierKey, SigningKey.Generate(SignatureAlgorithm.Ed25519), csSm2, csRoot));
        network.Members.Add(Member("430200", Zhuzhou, NoteVerifierKey.ForEd25519(Zhuzhou, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey), zzWitness, SigningKey.Generate(SignatureAlgorithm.Sm2Sm3), SigningKey.Generate(SignatureAlgorithm.Sm2Sm3)));
        File.WriteAllText(Path.Combine(_dir, "network.json"), network.ToJson());

        // Changsha's log: the issuer's registration, two licenses, the second one revoked, then two entries that only
        // a careless or hostile log would hold (bytes that are no SignedEntry; an entry whose body is not of its kind).
        var tree = new MemoryMerkleTree();
        var leaves = new List<byte[]>();
        void Append(byte[] leaf)
        {
            leaves.Add(leaf);
            tree.Append(leaf);
        }
        var issuer = LedgerBodies.Issuer("430100-amr", LedgerBodies.ChangshaAmrCode, amr.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false);
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, Changsha, issuer.IssuerId, "430100-root", issuer, At), csRoot));
        var valid = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001");
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseIssue, Changsha, valid.LicenseId, issuer.IssuerId, valid, At), amr));
        var revoked = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002");
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseIssue, Changsha, revoked.LicenseId, issuer.IssuerId, revoked, At), amr));
        EntryReference Previous(int index) => new() { Origin = Changsha, Index = (ulong)index, LeafHash = MerkleHash.LeafHash(leaves[index]).ToArray(), Relation = Relations.Previous };
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseStatus, Changsha, revoked.LicenseId, issuer.IssuerId, LedgerBodies.Revoke(revoked.LicenseId), At.AddDays(1), Previous(2)), amr));
        Append(Encoding.UTF8.GetBytes("these bytes are not a SignedEntry"));
        var wrongBody = Entry.Create(EntryKinds.LicenseChange, Changsha, valid.LicenseId, issuer.IssuerId, new IssuerRevoked { IssuerId = "x", Reason = "not a change" }, At.AddDays(2));
        wrongBody.Body = [0x0a, 0xff, 0xff];
        Append(EntrySigner.SignToLeaf(wrongBody, amr));
        // A third license: issued (#6), its validity changed (#7), then suspended (#8); each names the one before.
        var changed = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000003");
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseIssue, Changsha, changed.LicenseId, issuer.IssuerId, changed, At), amr));
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseChange, Changsha, changed.LicenseId, issuer.IssuerId, LedgerBodies.Change(changed.LicenseId, "2030-05-31"), At, Previous(6)), amr));
        Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseStatus, Changsha, changed.LicenseId, issuer.IssuerId, LedgerBodies.Suspend(changed.LicenseId), At, Previous(7)), amr));
        var size = tree.Size;
        var note = checkpointSigner.Sign(size, tree.Root().AsSpan());
        var cosigned = CosignatureSigner.Cosign(note, NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(Zhuzhou), zzWitness), At.AddMinutes(1));

        JsonObject Bundle(string subject, string verdict, SignedNote checkpoint, params int[] indexes)
        {
            var bundle = new EvidenceBundle
            {
                Network = "cz-t", Subject = subject, CreatedAt = At.AddMinutes(2),
                Verdict = new BundleVerdict { Status = verdict, Reason = "as the log stands", AsOf = new BundleCheckpointRef { Origin = Changsha, Size = size } },
            };
            bundle.Checkpoints[Changsha] = checkpoint.ToString();
            foreach (var index in indexes)
            {
                bundle.Entries.Add(ProvenBundleEntry.Of(Changsha, (ulong)index, leaves[index], tree, size));
            }
            return JsonNode.Parse(bundle.ToJson())!.AsObject();
        }

        var validFinal = Bundle(valid.LicenseId, "VALID", cosigned, 0, 1);
        var revokedFinal = Bundle(revoked.LicenseId, "REVOKED", cosigned, 0, 2, 3);
        Case("valid-final", validFinal, "VALID", final: true, null, "a valid license, its checkpoint cosigned by the witness threshold");
        Case("valid-not-final", Bundle(valid.LicenseId, "VALID", note, 0, 1), "VALID", final: false, null, "the same before the witness cosigned: verifies, not final");
        Case("revoked-final", revokedFinal, "REVOKED", final: true, null, "a revoked license");

        Case("stated-valid-for-revoked", Change(revokedFinal, b => b["verdict"]!["status"] = "VALID"), null, false, "the bundle states VALID, its entries give REVOKED", "the node's verdict contradicts its own entries");
        Case("revocation-left-out", Change(revokedFinal, b => RemoveEntry(b, 3)), null, false, "the bundle states REVOKED, its entries give VALID", "the revocation left out, the verdict kept");
        Case("revocation-left-out-verdict-changed", Change(revokedFinal, b => { RemoveEntry(b, 3); b["verdict"]!["status"] = "VALID"; }), "VALID", final: true, null,
            "KNOWN GAP: an omitted later entry cannot be detected without status proofs (the status map); this vector pins today's behaviour");
        var suspendedFinal = Bundle(changed.LicenseId, "SUSPENDED", cosigned, 0, 6, 7, 8);
        Case("changed-then-suspended", suspendedFinal, "SUSPENDED", final: true, null, "a license whose validity was changed, then suspended: three linked entries");
        Case("change-left-out", Change(suspendedFinal, b => RemoveEntry(b, 7)), null, false, $"the bundle leaves out entry {Changsha}#7",
            "the change in the middle left out: the suspension names it as the license's previous entry");
        Case("checkpoint-signature-flipped", Change(validFinal, b => b["checkpoints"]![Changsha] = FlipSignature(cosigned, Changsha, skip: 0)), null, false, $"checkpoint of {Changsha}", "a byte of the Ed25519 log signature flipped");
        Case("sm2-line-flipped", Change(validFinal, b => b["checkpoints"]![Changsha] = FlipSignature(cosigned, Changsha, skip: 1)), null, false, $"checkpoint of {Changsha}", "a byte of the SM2 line flipped: a known key's line must verify");
        Case("cosignature-flipped", Change(validFinal, b => b["checkpoints"]![Changsha] = FlipSignature(cosigned, CosignatureSigner.WitnessNameFor(Zhuzhou), skip: 0)), null, false, $"invalid signature for key {CosignatureSigner.WitnessNameFor(Zhuzhou)}+",
            "a byte of the witness's cosignature flipped: a known key's line must verify, so the checkpoint is refused (not merely not final)");
        Case("sm2-line-left-out", Change(validFinal, b => b["checkpoints"]![Changsha] = WithoutLine(cosigned, Changsha, skip: 1)), null, false, "no signature from required key",
            "the SM2 line left out: the configuration gives the member's SM2 key, so its line is required");
        Case("leaf-byte-flipped", Change(validFinal, b => b["entries"]![1]!["leaf"] = FlipBase64(b["entries"]![1]!["leaf"]!.GetValue<string>())), null, false, "inclusion proof does not verify", "a byte of the license's leaf flipped");
        Case("proof-hash-flipped", Change(validFinal, b => b["entries"]![1]!["inclusionProof"]![0] = FlipBase64(b["entries"]![1]!["inclusionProof"]![0]!.GetValue<string>())), null, false, "inclusion proof does not verify", "a byte of a proof hash flipped");
        Case("proof-truncated", Change(validFinal, b => b["entries"]![1]!["inclusionProof"]!.AsArray().RemoveAt(0)), null, false, "inclusion proof does not verify", "a proof hash left out");
        Case("tree-size-other", Change(validFinal, b => b["entries"]![1]!["treeSize"] = size - 1), null, false, "is proven to size", "an entry proven to another size than the checkpoint's");
        Case("other-network", Change(validFinal, b => b["network"] = "other"), null, false, "bundle is for network 'other'", "a bundle of another network");
        Case("stranger-checkpoint", Change(validFinal, b => b["checkpoints"]!["huren.cz-t/430900"] = cosigned.ToString()), null, false, "is not a member of network", "a checkpoint of a log the network does not have");
        Case("entry-doubled", Change(validFinal, b => b["entries"]!.AsArray().Add(b["entries"]![1]!.DeepClone())), null, false, "appears twice", "the same entry twice");
        Case("as-of-other-size", Change(validFinal, b => b["verdict"]!["asOf"]!["size"] = size - 1), null, false, "the verdict is stated as of", "a verdict stated as of another checkpoint");
        Case("issuer-registration-left-out", Change(validFinal, b => RemoveEntry(b, 0)), null, false, "has no registration of issuer", "the issuer's registration left out");
        Case("issue-left-out", Change(validFinal, b => RemoveEntry(b, 1)), null, false, "has no license.issue entry", "the license's issue left out");
        Case("leaf-not-base64", Change(validFinal, b => b["entries"]![1]!["leaf"] = "@@not base64@@"), null, false, "leaf is not canonical standard base64", "a leaf that is not base64");
        Case("proof-whitespace", Change(validFinal, b => b["entries"]![1]!["inclusionProof"]![0] = b["entries"]![1]!["inclusionProof"]![0]!.GetValue<string>().Insert(10, " ")), null, false,
            "inclusion proof hash 0 is not canonical standard base64", "a proof hash with a space inside, which a lenient base64 decoder skips");
        Case("proof-noncanonical-bits", Change(validFinal, b => b["entries"]![1]!["inclusionProof"]![0] = PaddingBitsSet(b["entries"]![1]!["inclusionProof"]![0]!.GetValue<string>())), null, false,
            "inclusion proof hash 0 is not canonical standard base64", "a proof hash whose last character sets padding bits: the same bytes, another text");
        Case("leaf-not-a-signed-entry", Bundle(valid.LicenseId, "VALID", cosigned, 0, 1, 4), null, false, $"entry {Changsha}#4", "a proven leaf that is not a SignedEntry");
        Case("body-not-of-its-kind", Bundle(valid.LicenseId, "VALID", cosigned, 0, 1, 5), null, false, "body does not decode", "a proven, signed entry whose body is not its kind's");
        Case("entries-null", Change(validFinal, b => b["entries"] = null), null, false, "entries is missing or null", "entries: null");
        Case("verdict-null", Change(validFinal, b => b["verdict"] = null), null, false, "verdict is missing or null", "verdict: null");
        Case("checkpoint-null", Change(validFinal, b => b["checkpoints"]![Changsha] = null), null, false, "is missing or null", "a checkpoint: null");
        Case("checkpoint-garbage", Change(validFinal, b => b["checkpoints"]![Changsha] = "not a note"), null, false, $"checkpoint of {Changsha}", "a checkpoint that is not a signed note");
        File.WriteAllText(Path.Combine(_dir, "not-json.json"), "{ this is not JSON");
        _cases.Add(new JsonObject { ["file"] = "not-json.json", ["valid"] = false, ["failure"] = "not a valid evidence bundle", ["what"] = "a file that is not JSON" });

        File.WriteAllText(Path.Combine(_dir, "cases.json"), new JsonArray([.. _cases]).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
    }

    private void Case(string name, JsonObject bundle, string? verdict, bool final, string? failure, string what)
    {
        var file = name + ".json";
        File.WriteAllText(Path.Combine(_dir, file), bundle.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        var row = new JsonObject { ["file"] = file, ["valid"] = failure is null, ["what"] = what };
        if (verdict is not null) row["verdict"] = verdict;
        if (failure is null) row["final"] = final;
        else row["failure"] = failure;
        _cases.Add(row);
    }

    private static JsonObject Change(JsonObject bundle, Action<JsonObject> change)
    {
        var copy = bundle.DeepClone().AsObject();
        change(copy);
        return copy;
    }

    private static void RemoveEntry(JsonObject bundle, ulong index)
    {
        var entries = bundle["entries"]!.AsArray();
        entries.Remove(entries.First(e => e!["index"]!.GetValue<ulong>() == index));
    }

    /// <summary>The same bytes in another text: the last character before the single '=' with its two unused bits set.</summary>
    private static string PaddingBitsSet(string base64)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var at = base64.Length - 2;
        return string.Concat(base64.AsSpan(0, at), alphabet[alphabet.IndexOf(base64[at], StringComparison.Ordinal) | 1].ToString(), base64.AsSpan(at + 1));
    }

    private static string FlipBase64(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[bytes.Length / 2] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The note without the <paramref name="skip"/>-th line named <paramref name="name"/>.</summary>
    private static string WithoutLine(SignedNote note, string name, int skip)
    {
        var left = note.Signatures.Where(s => s.Name == name).ElementAt(skip);
        return SignedNote.Create(note.Text, note.Signatures.Where(s => !ReferenceEquals(s, left))).ToString();
    }

    /// <summary>The note with one byte flipped in the signature of the <paramref name="skip"/>-th line named <paramref name="name"/>.</summary>
    private static string FlipSignature(SignedNote note, string name, int skip)
    {
        var lines = note.ToString().Split('\n');
        var seen = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("— " + name + " ", StringComparison.Ordinal)) continue;
            if (seen++ != skip) continue;
            var parts = lines[i].Split(' ');
            var bytes = Convert.FromBase64String(parts[2]);
            bytes[^1] ^= 0x01;
            parts[2] = Convert.ToBase64String(bytes);
            lines[i] = string.Join(' ', parts);
            return string.Join('\n', lines);
        }
        throw new InvalidOperationException($"no line {skip} of {name}");
    }

    private static NetworkMember Member(string city, string origin, NoteVerifierKey logKey, SigningKey witness, SigningKey sm2, SigningKey root) => new()
    {
        CityCode = city, Name = city, Origin = origin, LogKey = logKey.ToString(),
        WitnessKey = NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), witness.PublicKey).ToString(),
        Sm2PublicKey = sm2.PublicKey.ToPem(), RootKey = root.PublicKey.ToPem(), Endpoint = "https://127.0.0.1:7101",
    };
}
