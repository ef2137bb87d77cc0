using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// Seal evidence refusals the other tests leave out: a refusal carries no reason, subject, origin or issuer of its own;
/// the verifier keeps the seal verifier it is given; and an entry about the seal in a second log (here a revocation in
/// Zhuzhou of a seal Changsha registered) is refused with that entry named. Two city logs built with the SDK's tree,
/// entry signer and checkpoint signer, each checkpoint cosigned by the other city's witness.
/// </summary>
public sealed class SealEvidenceRefusalTests
{
    private const string Changsha = "huren.cz-t/430100";
    private const string Zhuzhou = "huren.cz-t/430200";
    private const string SealId = "43010000000001";
    private static readonly DateTimeOffset At = LedgerBodies.FixtureNow;

    private readonly LedgerSeals _kit = LedgerSeals.Default;
    private readonly Dictionary<string, (MemoryMerkleTree Tree, List<byte[]> Leaves, CheckpointSigner Checkpoints, SigningKey Root, SigningKey Witness)> _logs = new(StringComparer.Ordinal);
    private readonly SigningKey _makerEntries = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly SigningKey _zhuzhouSeals = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly TrustedNetwork _network;
    private readonly SesSeal _seal;
    private readonly int _makerRegistration, _register, _zhuzhouRegistration, _zhuzhouRevoke;

    public SealEvidenceRefusalTests()
    {
        var config = new NetworkConfig { NetworkId = "cz-t", Name = "印章证据测试网", WitnessThreshold = 1 };
        foreach (var (city, origin) in new[] { ("430100", Changsha), ("430200", Zhuzhou) })
        {
            var log = (new MemoryMerkleTree(), new List<byte[]>(), new CheckpointSigner(origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null),
                SigningKey.Generate(SignatureAlgorithm.Ed25519), SigningKey.Generate(SignatureAlgorithm.Ed25519));
            _logs[origin] = log;
            config.Members.Add(new NetworkMember
            {
                CityCode = city, Name = city, Origin = origin, LogKey = log.Item3.LogVerifierKey.ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), log.Item5.PublicKey).ToString(),
                RootKey = log.Item4.PublicKey.ToPem(), Endpoint = "https://127.0.0.1:7101",
            });
        }
        _network = TrustedNetwork.From(config);

        _makerRegistration = Append(Changsha, EntryKinds.IssuerRegister, "430100-seals", "430100-root",
            LedgerBodies.Issuer("430100-seals", LedgerBodies.Uscc("11430100HUREN0901"), _makerEntries.PublicKey, [], ["1"], false, sealMakerKeys: [_kit.MakerKey.PublicKey]), _logs[Changsha].Root);
        _seal = _kit.Make(SealId);
        _register = Append(Changsha, EntryKinds.SealRegister, SealId, "430100-seals", LedgerSeals.Registration(_seal), _makerEntries);
        _zhuzhouRegistration = Append(Zhuzhou, EntryKinds.IssuerRegister, "430200-seals", "430200-root",
            LedgerBodies.Issuer("430200-seals", LedgerBodies.Uscc("11430200HUREN0901"), _zhuzhouSeals.PublicKey, [], ["1"], false, region: "430200", sealMakerKeys: [_kit.MakerKey.PublicKey]), _logs[Zhuzhou].Root);
        _zhuzhouRevoke = Append(Zhuzhou, EntryKinds.SealRevoke, SealId, "430200-seals", new SealRevoked { SealId = SealId, Reason = "印章遗失" }, _zhuzhouSeals);
    }

    private int Append<T>(string origin, string kind, string recordId, string issuerId, T body, SigningKey key) where T : class
    {
        var (tree, leaves, _, _, _) = _logs[origin];
        var leaf = EntrySigner.SignToLeaf(Entry.Create(kind, origin, recordId, issuerId, body, At), key);
        leaves.Add(leaf);
        tree.Append(leaf);
        return leaves.Count - 1;
    }

    /// <summary>A bundle of the given entries, each log's checkpoint at its full size cosigned by the other city's witness; the verdict as of Changsha.</summary>
    private string Bundle(string verdict, params (string Origin, int Index)[] entries)
    {
        var bundle = new EvidenceBundle
        {
            Network = "cz-t", Subject = SealId, CreatedAt = At,
            Verdict = new BundleVerdict { Status = verdict, Reason = "as the log stands", AsOf = new BundleCheckpointRef { Origin = Changsha, Size = _logs[Changsha].Tree.Size } },
        };
        foreach (var (origin, index) in entries)
        {
            var (tree, leaves, checkpoints, _, _) = _logs[origin];
            bundle.Entries.Add(ProvenBundleEntry.Of(origin, (ulong)index, leaves[index], tree, tree.Size));
            if (bundle.Checkpoints.ContainsKey(origin)) continue;
            var other = origin == Changsha ? Zhuzhou : Changsha;
            var note = CosignatureSigner.Cosign(checkpoints.Sign(tree.Size, tree.Root().AsSpan()),
                NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(other), _logs[other].Witness), At.AddMinutes(1));
            bundle.Checkpoints[origin] = note.ToString();
        }
        return bundle.ToJson();
    }

    [Fact]
    public void The_seal_alone_in_its_own_log_verifies()
    {
        // The baseline the refusals below break: Changsha's entries alone.
        var seal = new SealEvidenceVerifier(_network).VerifySeal(Bundle("VALID", (Changsha, _makerRegistration), (Changsha, _register)), SealId);
        Assert.True(seal.IsValid, seal.Failure);
        Assert.Equal((SealVerdict.Valid, SealId, Changsha, "430100-seals"), (seal.Verdict, seal.Subject, seal.Origin, seal.IssuerId));
    }

    [Fact]
    public void A_revocation_of_the_seal_in_another_log_is_refused_naming_that_entry()
    {
        var bundle = Bundle("REVOKED", (Changsha, _makerRegistration), (Changsha, _register), (Zhuzhou, _zhuzhouRegistration), (Zhuzhou, _zhuzhouRevoke));
        var result = new SealEvidenceVerifier(_network).VerifySeal(bundle, SealId);
        Assert.Equal(new SealEvidenceResult(false, SealVerdict.Malformed, $"entry {Zhuzhou}#{_zhuzhouRevoke} about seal {SealId} is not in the log that registered it ({Changsha})", false), result);
    }

    [Fact]
    public void Entries_of_other_records_in_another_log_do_not_make_the_seal_foreign()
    {
        // Zhuzhou's issuer registration is about another record: the seal's own entries are all in Changsha.
        var result = new SealEvidenceVerifier(_network).VerifySeal(Bundle("VALID", (Changsha, _makerRegistration), (Changsha, _register), (Zhuzhou, _zhuzhouRegistration)), SealId);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((SealVerdict.Valid, Changsha), (result.Verdict, result.Origin));
    }

    [Fact]
    public void A_refusal_carries_no_reason_subject_origin_or_issuer_of_its_own()
    {
        var verifier = new SealEvidenceVerifier(_network);
        var refusals = new[]
        {
            verifier.VerifySeal(null, SealId),
            verifier.VerifySeal("{", SealId),
            verifier.VerifySeal(Bundle("VALID", (Changsha, _makerRegistration), (Changsha, _register)), "43010000000009"),
            verifier.VerifySeal(Bundle("REVOKED", (Changsha, _makerRegistration), (Changsha, _register)), SealId),
        };
        Assert.Equal("the bundle states REVOKED, its entries and the signature give VALID", refusals[^1].Failure);
        foreach (var refused in refusals)
        {
            Assert.False(refused.IsValid);
            Assert.NotNull(refused.Failure);
            Assert.Equal(("", "", "", ""), (refused.Reason, refused.Subject, refused.Origin, refused.IssuerId));
            Assert.False(refused.FromLedger);
            Assert.Null(refused.Registration);
        }
    }

    [Fact]
    public void The_verifier_keeps_the_seal_verifier_it_is_given_and_makes_one_when_given_none()
    {
        var mine = new SealVerifier();
        Assert.Same(mine, new SealEvidenceVerifier(_network, mine).Signatures);
        Assert.Same(mine, new SealEvidenceVerifier(new EvidenceVerifier(_network), mine).Signatures);
        var made = new SealEvidenceVerifier(_network);
        Assert.NotNull(made.Signatures);
        Assert.NotSame(mine, made.Signatures);
        Assert.Same(made.Signatures, made.Signatures);
    }
}
