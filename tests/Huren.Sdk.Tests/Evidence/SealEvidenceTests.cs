using System.Text.Json.Nodes;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Seals;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// Seal evidence checked offline: a two-city test network (Changsha's log built with the SDK's tree, entry signer,
/// checkpoint signer and Zhuzhou's cosignature), real seals, and bundles in the node's layout. Every verdict is
/// recomputed from the entries and the signature; every omission, swap and flipped byte is refused with its reason.
/// </summary>
public sealed class SealEvidenceTests
{
    private const string Changsha = "huren.cz-t/430100";
    private const string Zhuzhou = "huren.cz-t/430200";
    private const string SealId = "43010000000001";
    private static readonly DateTimeOffset At = LedgerBodies.FixtureNow;

    private readonly LedgerSeals _kit = LedgerSeals.Default;
    private readonly SigningKey _root = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
    private readonly SigningKey _makerEntries = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly SigningKey _owner = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
    private readonly SigningKey _witness = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly CheckpointSigner _checkpoints = new(Changsha, SigningKey.Generate(SignatureAlgorithm.Ed25519), null);
    private readonly TrustedNetwork _network;
    private readonly MemoryMerkleTree _tree = new();
    private readonly List<byte[]> _leaves = [];
    private readonly SesSeal _seal;
    private readonly SesSignature _recorded;
    private readonly SesSignature _unrecorded;
    private readonly int _register, _use, _revoke, _makerRegistration, _ownerRegistration;

    public SealEvidenceTests()
    {
        var config = new NetworkConfig { NetworkId = "cz-t", Name = "印章证据测试网", WitnessThreshold = 1 };
        config.Members.Add(Member("430100", Changsha, _checkpoints.LogVerifierKey, SigningKey.Generate(SignatureAlgorithm.Ed25519), _root));
        config.Members.Add(Member("430200", Zhuzhou, NoteVerifierKey.ForEd25519(Zhuzhou, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey), _witness, SigningKey.Generate(SignatureAlgorithm.Sm2Sm3)));
        _network = TrustedNetwork.From(config);

        _makerRegistration = Append(EntryKinds.IssuerRegister, "430100-seals", "430100-root",
            LedgerBodies.Issuer("430100-seals", LedgerBodies.Uscc("11430100HUREN0901"), _makerEntries.PublicKey, [], ["1"], false, sealMakerKeys: [_kit.MakerKey.PublicKey]), _root);
        _ownerRegistration = Append(EntryKinds.IssuerRegister, "430100-amr", "430100-root",
            LedgerBodies.Issuer("430100-amr", LedgerBodies.ChangshaAmrCode, _owner.PublicKey, [LedgerBodies.BusinessLicenseType], [], false), _root);
        _seal = _kit.Make(SealId);
        _register = Append(EntryKinds.SealRegister, SealId, "430100-seals", LedgerSeals.Registration(_seal), _makerEntries);
        _recorded = _kit.Sign(_seal, LedgerSeals.Document("recorded"), At);
        _unrecorded = _kit.Sign(_seal, LedgerSeals.Document("unrecorded"), At);
        _use = Append(EntryKinds.SealUse, SealId, "430100-amr", LedgerSeals.Use(_recorded), _owner);
        _revoke = Append(EntryKinds.SealRevoke, SealId, "430100-seals", new SealRevoked { SealId = SealId, Reason = "印章遗失" }, _makerEntries);
    }

    private int Append<T>(string kind, string recordId, string issuerId, T body, SigningKey key) where T : class
    {
        var leaf = EntrySigner.SignToLeaf(Entry.Create(kind, Changsha, recordId, issuerId, body, At), key);
        _leaves.Add(leaf);
        _tree.Append(leaf);
        return _leaves.Count - 1;
    }

    private SealEvidenceVerifier Verifier => new(_network, new SealVerifier());

    /// <summary>
    /// A bundle of the first <paramref name="size"/> entries (default: all), cosigned unless told otherwise; with
    /// <paramref name="statusMap"/> its checkpoint carries the status-map line of those entries and the bundle the proofs
    /// of the records its entries set a state of, as a node makes them.
    /// </summary>
    private string Bundle(string verdict, int[] indexes, ulong? size = null, bool cosigned = true, string subject = SealId, bool statusMap = false)
    {
        var treeSize = size ?? _tree.Size;
        var root = _tree.RootAt(treeSize);
        var map = statusMap ? StatusMapOf(treeSize) : default;
        var note = _checkpoints.Sign(treeSize, root.AsSpan(), statusMap ? [StatusMapLine.Format(map.Root)] : null);
        if (cosigned) note = CosignatureSigner.Cosign(note, NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(Zhuzhou), _witness), At.AddMinutes(1));
        var bundle = new EvidenceBundle
        {
            Network = "cz-t", Subject = subject, CreatedAt = At,
            Verdict = new BundleVerdict { Status = verdict, Reason = "as the log stands", AsOf = new BundleCheckpointRef { Origin = Changsha, Size = treeSize } },
        };
        bundle.Checkpoints[Changsha] = note.ToString();
        var records = new SortedSet<string>(StringComparer.Ordinal) { subject };
        foreach (var index in indexes)
        {
            bundle.Entries.Add(ProvenBundleEntry.Of(Changsha, (ulong)index, _leaves[index], _tree, treeSize));
            var entry = LeafReader.Read(_leaves[index]).Entry;
            if (StatusMapRecords.SetsState(entry.Kind)) records.Add(entry.RecordId);
        }
        if (statusMap)
        {
            foreach (var recordId in records)
            {
                Assert.True(map.Tree.TryProve(treeSize, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error), error);
                bundle.StatusProofs.Add(BundleStatusProof.Create(Changsha, treeSize, recordId, map.Root, value, proof).ToJsonElement());
            }
        }
        return bundle.ToJson();
    }

    /// <summary>The status map of the first <paramref name="size"/> entries, built as a node builds it.</summary>
    private (StatusMapTree Tree, Hash256 Root) StatusMapOf(ulong size)
    {
        var store = new MemoryStatusMapStore();
        var tree = new StatusMapTree(store);
        var updates = new List<StatusMapUpdate>();
        foreach (var leaf in _leaves.Take((int)size))
        {
            var entry = LeafReader.Read(leaf).Entry;
            if (StatusMapRecords.SetsState(entry.Kind)) updates.Add(StatusMapUpdate.ForRecord(entry.RecordId, MerkleHash.LeafHash(leaf)));
        }
        var writes = tree.Prepare(0, size, [.. updates]);
        store.Apply(writes);
        return (tree, writes.Root.Hash);
    }

    private int[] Everything => [_makerRegistration, _ownerRegistration, _register, _use, _revoke];

    private SealEvidenceResult Check(string? bundle, SesSignature signature, string document) =>
        Verifier.Verify(bundle, signature.Der, Digests.Sm3(LedgerSeals.Document(document)), At.AddMinutes(5));

    [Fact]
    public void A_use_recorded_before_the_revocation_stays_valid_and_an_unrecorded_one_is_revoked()
    {
        var valid = Check(Bundle("VALID", Everything), _recorded, "recorded");
        Assert.True(valid.IsValid, valid.Failure);
        Assert.Equal(SealVerdict.Valid, valid.Verdict);
        Assert.True(valid.Final);
        Assert.True(valid.FromLedger);
        Assert.Equal((Changsha, "430100-seals", SealId), (valid.Origin, valid.IssuerId, valid.Subject));
        Assert.Contains($"the use is recorded at {Changsha} #{_use}, the revocation at #{_revoke}", valid.Reason, StringComparison.Ordinal);

        var revoked = Check(Bundle("REVOKED", [_makerRegistration, _register, _revoke]), _unrecorded, "unrecorded");
        Assert.True(revoked.IsValid, revoked.Failure);
        Assert.Equal(SealVerdict.Revoked, revoked.Verdict);
        Assert.Contains("no seal.use entry before that records this signature", revoked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_the_revocation_the_seal_is_valid_and_the_seal_alone_verifies()
    {
        var before = Check(Bundle("VALID", [_makerRegistration, _register], size: (ulong)_revoke), _unrecorded, "unrecorded");
        Assert.True(before.IsValid, before.Failure);
        Assert.Equal(SealVerdict.Valid, before.Verdict);

        var seal = Verifier.VerifySeal(Bundle("REVOKED", [_makerRegistration, _register, _revoke]), SealId);
        Assert.True(seal.IsValid, seal.Failure);
        Assert.Equal(SealVerdict.Revoked, seal.Verdict);
        Assert.Equal(_seal.Der, seal.Registration!.SesSeal);
        Assert.Equal("印章遗失", seal.Revocation!.Reason);
        Assert.Contains("not seal 43010000000009", Verifier.VerifySeal(Bundle("REVOKED", [_makerRegistration, _register, _revoke]), "43010000000009").Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Signature_verdicts_come_from_the_signature_itself()
    {
        var tampered = Check(Bundle("BAD_SIGNATURE", [_makerRegistration, _register, _revoke]), _unrecorded, "tampered");
        Assert.True(tampered.IsValid, tampered.Failure);
        Assert.Equal(SealVerdict.BadSignature, tampered.Verdict);
        // The node cannot make a tampered document valid by saying so.
        Assert.Contains("the bundle states VALID, its entries and the signature give BAD_SIGNATURE",
            Check(Bundle("VALID", [_makerRegistration, _register]), _unrecorded, "tampered").Failure, StringComparison.Ordinal);

        var alone = Check(null, _unrecorded, "unrecorded");
        Assert.True(alone.IsValid);
        Assert.Equal(SealVerdict.NotRegistered, alone.Verdict);
        Assert.False(alone.FromLedger);
        Assert.False(alone.Final);
        Assert.Equal(SealVerdict.Malformed, Verifier.Verify(null, [0x30, 0x00], new byte[32], At).Verdict);
    }

    [Fact]
    public void Omissions_and_swaps_are_refused_with_their_reason()
    {
        // The use left out: the recomputation says REVOKED while the node said VALID.
        Assert.Contains("the bundle states VALID, its entries and the signature give REVOKED",
            Check(Bundle("VALID", [_makerRegistration, _register, _revoke]), _recorded, "recorded").Failure, StringComparison.Ordinal);
        Assert.Contains("has no seal.register entry for seal", Check(Bundle("VALID", [_makerRegistration, _ownerRegistration, _use]), _recorded, "recorded").Failure, StringComparison.Ordinal);
        Assert.Contains("has no registration of issuer '430100-seals'", Check(Bundle("VALID", [_register]), _recorded, "recorded").Failure, StringComparison.Ordinal);
        Assert.Contains("records another use of seal", Check(Bundle("REVOKED", [.. Everything]), _unrecorded, "unrecorded").Failure, StringComparison.Ordinal);
        Assert.Contains("the evidence is about seal 43010000000009, the signature applies seal 43010000000001",
            Check(Bundle("VALID", Everything, subject: "43010000000009"), _recorded, "recorded").Failure, StringComparison.Ordinal);
        var notFinal = Check(Bundle("VALID", Everything, cosigned: false), _recorded, "recorded");
        Assert.True(notFinal.IsValid, notFinal.Failure);
        Assert.False(notFinal.Final);
    }

    [Fact]
    public void Every_flipped_byte_of_a_leaf_and_every_signature_line_is_refused()
    {
        var json = Bundle("VALID", Everything);
        for (var e = 0; e < Everything.Length; e++)
        {
            var bundle = JsonNode.Parse(json)!.AsObject();
            var leaf = Convert.FromBase64String(bundle["entries"]![e]!["leaf"]!.GetValue<string>());
            for (var i = 0; i < leaf.Length; i += Math.Max(1, leaf.Length / 24))
            {
                var copy = (byte[])leaf.Clone();
                copy[i] ^= 0x40;
                bundle["entries"]![e]!["leaf"] = Convert.ToBase64String(copy);
                var result = Check(bundle.ToJsonString(), _recorded, "recorded");
                Assert.False(result.IsValid, $"entry {e} byte {i} flipped was accepted");
                Assert.Contains("inclusion proof does not verify", result.Failure, StringComparison.Ordinal);
            }
        }
        var lines = JsonNode.Parse(json)!["checkpoints"]![Changsha]!.GetValue<string>().Split('\n');
        for (var l = 0; l < lines.Length; l++)
        {
            if (!lines[l].StartsWith("— ", StringComparison.Ordinal)) continue;
            var parts = lines[l].Split(' ');
            var bytes = Convert.FromBase64String(parts[2]);
            bytes[^1] ^= 0x01;
            var changed = (string[])lines.Clone();
            changed[l] = $"{parts[0]} {parts[1]} {Convert.ToBase64String(bytes)}";
            var bundle = JsonNode.Parse(json)!.AsObject();
            bundle["checkpoints"]![Changsha] = string.Join('\n', changed);
            var result = Check(bundle.ToJsonString(), _recorded, "recorded");
            // The log signature fails the bundle; a flipped cosignature only takes finality away.
            Assert.True(!result.IsValid || !result.Final, $"line {l} flipped still gave a final, valid result");
        }
    }

    [Fact]
    public void A_registration_the_ledger_rules_forbid_is_refused()
    {
        // A seal-making authority registered without the maker's key; a seal registered by it anyway (a log that broke its rules).
        var bad = new SealEvidenceTests();
        var stranger = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var registration = bad.Append(EntryKinds.IssuerRegister, "430100-rogue", "430100-root",
            LedgerBodies.Issuer("430100-rogue", LedgerBodies.Uscc("11430100HUREN0909"), stranger.PublicKey, [], ["1"], false), bad._root);
        var seal = bad._kit.Make("43010000000007");
        var register = bad.Append(EntryKinds.SealRegister, "43010000000007", "430100-rogue", LedgerSeals.Registration(seal), stranger);
        var result = bad.Verifier.Verify(bad.Bundle("VALID", [registration, register], subject: "43010000000007"), bad._kit.Sign(seal, [1, 2, 3], At).Der, Digests.Sm3([1, 2, 3]), At.AddMinutes(5));
        Assert.Contains("is not a key issuer 430100-rogue registered", result.Failure, StringComparison.Ordinal);

        var outOfScope = bad.Append(EntryKinds.SealRegister, "43010000000008", "430100-seals", LedgerSeals.Registration(bad._kit.Make("43010000000008", type: 2)), bad._makerEntries);
        Assert.Contains("seal type 2 is out of scope for issuer 430100-seals",
            bad.Verifier.VerifySeal(bad.Bundle("VALID", [bad._makerRegistration, outOfScope], subject: "43010000000008"), "43010000000008").Failure, StringComparison.Ordinal);

        // A seal whose maker's signature does not verify, registered anyway: the seal alone is not VALID offline either.
        var made = bad._kit.Make("43010000000009");
        var flipped = (byte[])made.SignedValue.Clone();
        flipped[^1] ^= 0x01;
        Assert.True(SesCodec.TryParseSeal(SesCodec.EncodeSeal(made.Info, made.MakerCertificate, made.SignatureAlgorithm, flipped), out var unmade, out _));
        var unmadeRegister = bad.Append(EntryKinds.SealRegister, "43010000000009", "430100-seals", LedgerSeals.Registration(unmade), bad._makerEntries);
        var unmadeResult = bad.Verifier.VerifySeal(bad.Bundle("VALID", [bad._makerRegistration, unmadeRegister], subject: "43010000000009"), "43010000000009");
        Assert.False(unmadeResult.IsValid);
        Assert.Contains("the registered seal does not check", unmadeResult.Failure, StringComparison.Ordinal);

        var foreignRevoke = bad.Append(EntryKinds.SealRevoke, SealId, "430100-amr", new SealRevoked { SealId = SealId, Reason = "冒名吊销" }, bad._owner);
        Assert.Contains("revokes seal 43010000000001 as issuer '430100-amr', not its registering issuer '430100-seals'",
            bad.Verifier.VerifySeal(bad.Bundle("REVOKED", [bad._makerRegistration, bad._ownerRegistration, bad._register, foreignRevoke]), SealId).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nodes_answer_is_bound_to_the_recomputed_verdict_log_and_seal()
    {
        var question = SealQuestion.ForDocument(LedgerSeals.Document("recorded"), _recorded.Der);
        var bundle = Bundle("VALID", Everything);
        SealVerdictResponse Answer(SealVerdictCode verdict, string origin = Changsha, string sealId = SealId) =>
            new() { Verdict = verdict, Origin = origin, SealId = sealId, EvidenceBundle = bundle };
        var now = At.AddMinutes(5);
        var right = VerifiedSeal.Check(Answer(SealVerdictCode.Valid), question, Verifier, now);
        Assert.True(right.IsFinal, right.Failure);
        // Final and VALID, but its checkpoint has no status-map line: nothing shows a later revocation was not left out.
        Assert.False(right.Evidence.StatusProven);
        Assert.False(right.IsAccepted);
        var proven = VerifiedSeal.Check(new SealVerdictResponse { Verdict = SealVerdictCode.Valid, Origin = Changsha, SealId = SealId, EvidenceBundle = Bundle("VALID", Everything, statusMap: true) },
            question, Verifier, now);
        Assert.True(proven.Evidence.StatusProven, proven.Failure);
        Assert.True(proven.IsAccepted, proven.Failure);
        Assert.Contains("the node says REVOKED, the signature and its evidence give VALID", VerifiedSeal.Check(Answer(SealVerdictCode.Revoked), question, Verifier, now).Failure, StringComparison.Ordinal);
        Assert.Contains("names log huren.cz-t/430300", VerifiedSeal.Check(Answer(SealVerdictCode.Valid, origin: "huren.cz-t/430300"), question, Verifier, now).Failure, StringComparison.Ordinal);
        Assert.Contains("names seal 4301", VerifiedSeal.Check(Answer(SealVerdictCode.Valid, sealId: "43019999999999"), question, Verifier, now).Failure, StringComparison.Ordinal);
        Assert.Contains("not a seal verdict", VerifiedSeal.Check(Answer(SealVerdictCode.Unspecified), question, Verifier, now).Failure, StringComparison.Ordinal);
        // NOT_REGISTERED without evidence is the node's word: believed as such, never accepted.
        var unproven = VerifiedSeal.Check(new SealVerdictResponse { Verdict = SealVerdictCode.NotRegistered, SealId = SealId }, question, Verifier, now);
        Assert.True(unproven.IsVerified);
        Assert.False(unproven.IsAccepted);
        Assert.Equal(SealVerdict.NotRegistered, unproven.Verdict);
        // A VALID claim without evidence is not believed.
        Assert.Contains("the node says VALID, the signature and its evidence give NOT_REGISTERED",
            VerifiedSeal.Check(new SealVerdictResponse { Verdict = SealVerdictCode.Valid, SealId = SealId }, question, Verifier, now).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_valid_result_reports_the_seal_its_log_and_the_facts()
    {
        var result = Check(Bundle("VALID", Everything), _recorded, "recorded");
        Assert.True(result.IsValid, result.Failure);
        Assert.Null(result.Failure);
        Assert.Equal($"sealed before seal {SealId} was revoked: the use is recorded at {Changsha} #{_use}, the revocation at #{_revoke} (印章遗失)", result.Reason);
        Assert.Equal(_seal.Der, result.Registration!.SesSeal);
        Assert.Equal("印章遗失", result.Revocation!.Reason);
        Assert.Equal(SealVerdict.Valid, result.Signature!.Verdict);
        var facts = result.Facts!;
        Assert.Equal((Changsha, SealId, (ulong)_register, (ulong?)_revoke, "印章遗失", (ulong?)_use, At),
            (facts.Origin, facts.SealId, facts.RegisteredIndex, facts.RevokedIndex, facts.RevokeReason, facts.UseIndex, facts.RegisteredAt));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(_seal.Der), facts.SealSha256);

        var seal = Verifier.VerifySeal(Bundle("VALID", [_makerRegistration, _register], size: (ulong)_revoke), SealId);
        Assert.True(seal.IsValid, seal.Failure);
        Assert.Equal((SealVerdict.Valid, $"seal {SealId} registered at {Changsha} #{_register}, not revoked", true, SealId, Changsha, "430100-seals"),
            (seal.Verdict, seal.Reason, seal.FromLedger, seal.Subject, seal.Origin, seal.IssuerId));
        Assert.Null(seal.Revocation);
        Assert.Null(seal.Signature);
        Assert.Equal(((ulong?)null, "", (ulong?)null), (seal.Facts!.UseIndex, seal.Facts.RevokeReason, seal.Facts.RevokedIndex));
        var lie = Verifier.VerifySeal(Bundle("REVOKED", [_makerRegistration, _register], size: (ulong)_revoke), SealId);
        Assert.Equal((false, SealVerdict.Valid, "the bundle states REVOKED, its entries and the signature give VALID", true), (lie.IsValid, lie.Verdict, lie.Failure, lie.Final));
    }

    [Fact]
    public void Without_a_bundle_or_a_signature_the_verdict_says_why()
    {
        foreach (var none in new[] { null, "" })
        {
            var alone = Check(none, _unrecorded, "unrecorded");
            Assert.True(alone.IsValid);
            Assert.Equal((SealVerdict.NotRegistered, $"seal {SealId} is not registered: no seal.register entry for it", SealId, false),
                (alone.Verdict, alone.Reason, alone.Subject, alone.FromLedger));
            Assert.Equal(new SealEvidenceResult(false, SealVerdict.Malformed, "there is no evidence bundle", false), Verifier.VerifySeal(none, SealId));
        }
        var unsigned = Verifier.Verify(null, null!, new byte[32], At);
        Assert.True(unsigned.IsValid);
        Assert.Equal((SealVerdict.Malformed, "there is no SES_Signature", ""), (unsigned.Verdict, unsigned.Reason, unsigned.Subject));
        var garbled = Verifier.Verify(null, [0x30, 0x00], new byte[32], At);
        Assert.Equal((SealVerdict.Malformed, garbled.Signature!.Reason ?? ""), (garbled.Verdict, garbled.Reason));
    }

    [Fact]
    public void Bundles_that_do_not_parse_are_refused_with_the_parsers_reason()
    {
        var reason = Assert.Throws<FormatException>(() => EvidenceBundle.Parse("{ not JSON")).Message;
        Assert.Equal(new SealEvidenceResult(false, SealVerdict.Malformed, $"not a valid evidence bundle: {reason}", false), Check("{ not JSON", _recorded, "recorded"));
        Assert.Equal(new SealEvidenceResult(false, SealVerdict.Malformed, $"not a valid evidence bundle: {reason}", false), Verifier.VerifySeal("{ not JSON", SealId));
        Assert.Equal(new SealEvidenceResult(false, SealVerdict.Malformed, $"the evidence is about {SealId}, not seal 43010000000009", false),
            Verifier.VerifySeal(Bundle("REVOKED", Everything), "43010000000009"));
        // The bundle's own checks run first, with their reasons.
        var json = System.Text.Json.Nodes.JsonNode.Parse(Bundle("VALID", Everything))!;
        json["network"] = "other";
        Assert.Equal("bundle is for network 'other', the configuration is 'cz-t'", Check(json.ToJsonString(), _recorded, "recorded").Failure);
        json["network"] = "cz-t";
        json["verdict"]!["asOf"]!["origin"] = Zhuzhou;
        Assert.Equal($"the verdict is stated as of {Zhuzhou} size {_tree.Size}, but the seal's log is {Changsha} with checkpoint size {_tree.Size}",
            Check(json.ToJsonString(), _recorded, "recorded").Failure);
        json["verdict"]!["asOf"]!["origin"] = Changsha;
        json["verdict"]!["asOf"]!["size"] = _tree.Size - 1;
        Assert.Equal($"the verdict is stated as of {Changsha} size {_tree.Size - 1}, but the seal's log is {Changsha} with checkpoint size {_tree.Size}",
            Check(json.ToJsonString(), _recorded, "recorded").Failure);
    }

    [Fact]
    public void Repeated_misplaced_and_foreign_entries_about_the_seal_are_refused_with_their_reason()
    {
        var bad = new SealEvidenceTests();
        var again = bad.Append(EntryKinds.SealRegister, SealId, "430100-seals", LedgerSeals.Registration(bad._seal), bad._makerEntries);
        var revokedAgain = bad.Append(EntryKinds.SealRevoke, SealId, "430100-seals", new SealRevoked { SealId = SealId, Reason = "再次吊销" }, bad._makerEntries);
        var usedAgain = bad.Append(EntryKinds.SealUse, SealId, "430100-amr", LedgerSeals.Use(bad._recorded), bad._owner);
        var license = bad.Append(EntryKinds.LicenseStatus, SealId, "430100-amr", LedgerBodies.Suspend(SealId), bad._owner);
        SealEvidenceResult Seal(params int[] entries) => bad.Verifier.VerifySeal(bad.Bundle("VALID", entries), SealId);
        SealEvidenceResult Signed(params int[] entries) => bad.Check(bad.Bundle("VALID", entries), bad._recorded, "recorded");

        Assert.Equal($"the bundle registers seal {SealId} twice ({Changsha}#{bad._register} and {Changsha}#{again})", Seal(bad._makerRegistration, bad._register, again).Failure);
        Assert.Equal($"the bundle revokes seal {SealId} twice", Seal(bad._makerRegistration, bad._register, bad._revoke, revokedAgain).Failure);
        Assert.Equal("the bundle records this signature twice", Signed(bad._makerRegistration, bad._ownerRegistration, bad._register, bad._use, usedAgain).Failure);
        Assert.Equal($"entry {Changsha}#{bad._use} records another use of seal {SealId} than the signature judged", Seal(bad._makerRegistration, bad._ownerRegistration, bad._register, bad._use).Failure);
        Assert.Equal($"entry {Changsha}#{license} (license.status) is not about a seal", Seal(bad._makerRegistration, bad._ownerRegistration, bad._register, license).Failure);
        Assert.Equal($"the bundle has no seal.register entry for seal {SealId}", Seal(bad._makerRegistration, bad._revoke).Failure);

        // A seal whose revocation and use the log holds before its registration.
        const string early = "43010000000006";
        var seal = bad._kit.Make(early);
        var signature = bad._kit.Sign(seal, [7, 7, 7], At);
        var revoke = bad.Append(EntryKinds.SealRevoke, early, "430100-seals", new SealRevoked { SealId = early, Reason = "提前吊销" }, bad._makerEntries);
        var use = bad.Append(EntryKinds.SealUse, early, "430100-amr", LedgerSeals.Use(signature), bad._owner);
        var register = bad.Append(EntryKinds.SealRegister, early, "430100-seals", LedgerSeals.Registration(seal), bad._makerEntries);
        // Another seal's entries in the same bundle are not about this one.
        var both = Seal(bad._makerRegistration, bad._register, register);
        Assert.True(both.IsValid, both.Failure);
        Assert.Equal(bad._register, (int)both.Facts!.RegisteredIndex);
        Assert.Equal($"entry {Changsha}#{revoke} revokes seal {early} before its registration at #{register}",
            bad.Verifier.VerifySeal(bad.Bundle("REVOKED", [bad._makerRegistration, revoke, register], subject: early), early).Failure);
        Assert.Equal($"entry {Changsha}#{use} uses seal {early} before its registration at #{register}",
            bad.Verifier.Verify(bad.Bundle("VALID", [bad._makerRegistration, bad._ownerRegistration, use, register], subject: early), signature.Der, Digests.Sm3([7, 7, 7]), At.AddMinutes(5)).Failure);
    }

    [Fact]
    public void A_registered_seal_that_cannot_be_read_is_refused_with_the_seal_verifiers_reason()
    {
        var bad = new SealEvidenceTests();
        const string unreadable = "43010000000005";
        var body = LedgerSeals.Registration(bad._kit.Make(unreadable));
        body.SesSeal = [0x30, 0x03, 0x02, 0x01, 0x01];
        var register = bad.Append(EntryKinds.SealRegister, unreadable, "430100-seals", body, bad._makerEntries);
        var reason = new SealVerifier().VerifySeal(body.SesSeal).Reason;
        Assert.Equal($"entry {Changsha}#{register}: the registered seal cannot be read: {reason}",
            bad.Verifier.VerifySeal(bad.Bundle("VALID", [bad._makerRegistration, register], subject: unreadable), unreadable).Failure);
    }

    private static NetworkMember Member(string city, string origin, NoteVerifierKey logKey, SigningKey witness, SigningKey root) => new()
    {
        CityCode = city, Name = city, Origin = origin, LogKey = logKey.ToString(),
        WitnessKey = NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), witness.PublicKey).ToString(),
        RootKey = root.PublicKey.ToPem(), Endpoint = "https://127.0.0.1:7101",
    };
}
