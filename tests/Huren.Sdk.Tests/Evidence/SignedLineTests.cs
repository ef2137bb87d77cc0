using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// checkpoints.md: a note whose known key's line fails is rejected. A member's verifier in the parsed network
/// (<see cref="TrustedMember.CheckpointVerifier"/>) knows the origin's Ed25519 and SM2 log keys and every member's
/// witness key; one flipped byte anywhere in the signature part of any of those lines (key ID included) rejects the
/// checkpoint, and with it the evidence bundle.
/// </summary>
public sealed class SignedLineTests
{
    private const string Origin = "huren.cz-t/430100";
    private static readonly DateOnly Today = new(2026, 11, 23);
    private static readonly Lazy<Fixture> Shared = new(() => new Fixture());

    private static Fixture F => Shared.Value;

    private static CheckpointVerifier Verifier => F.Network.ByOrigin(Origin)!.CheckpointVerifier;

    [Fact]
    public void The_untouched_bundle_verifies_valid_and_final()
    {
        var result = new EvidenceVerifier(F.Network).Verify(F.Bundle(F.Note), Today);
        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.Final);
        var check = Verifier.Verify(F.Note);
        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(4, check.Signatures.Verified.Count); // Ed25519, SM2 and both cosignatures
    }

    public static TheoryData<string> Lines => new() { "ed25519", "sm2", "cosignature" };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_flipped_byte_of_a_known_line_rejects_the_checkpoint_and_the_bundle(string line)
    {
        var index = F.LineIndex(line);
        var original = F.Note.Signatures[index];
        var verifier = Verifier;
        var evidence = new EvidenceVerifier(F.Network);
        // The signature part of a line is base64(4-byte key ID ‖ signature): flip each byte of it in turn.
        var length = 4 + original.Signature.Length;
        for (var position = 0; position < length; position++)
        {
            var tampered = F.WithFlippedByte(index, position);
            var check = verifier.Verify(tampered);
            Assert.False(check.IsValid, $"{line} byte {position}: accepted");
            Assert.Contains(original.Name, check.Failure, StringComparison.Ordinal);

            var result = evidence.Verify(F.Bundle(tampered), Today);
            Assert.False(result.IsValid, $"{line} byte {position}: bundle accepted");
            Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
            Assert.StartsWith($"checkpoint of {Origin}: ", result.Failure, StringComparison.Ordinal);
            Assert.Contains(original.Name, result.Failure, StringComparison.Ordinal);
            Assert.Contains(position < 4 ? "key ID" : "invalid signature for key", result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_log_or_SM2_line_is_refused_but_a_missing_cosignature_only_lowers_finality()
    {
        var evidence = new EvidenceVerifier(F.Network);
        foreach (var line in new[] { "ed25519", "sm2" })
        {
            var result = evidence.Verify(F.Bundle(F.Without(F.LineIndex(line))), Today);
            Assert.False(result.IsValid);
            Assert.Contains("no signature from required key", result.Failure, StringComparison.Ordinal);
        }
        var oneCosignature = evidence.Verify(F.Bundle(F.Without(F.LineIndex("cosignature"))), Today);
        Assert.True(oneCosignature.IsValid, oneCosignature.Failure);
        Assert.True(oneCosignature.Final); // threshold 1, one cosignature left
        var noCosignature = evidence.Verify(F.Bundle(F.Without(F.LineIndex("cosignature"), F.LineIndex("cosignature") + 1)), Today);
        Assert.True(noCosignature.IsValid, noCosignature.Failure);
        Assert.False(noCosignature.Final);
    }

    [Fact]
    public void A_line_of_a_key_the_configuration_does_not_name_is_ignored()
    {
        var stranger = NoteSignerKey.ForCosigner("example.com/witness", TestKeys.Ed25519("stranger"));
        var note = CosignatureSigner.Cosign(F.Note, stranger, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var check = Verifier.Verify(note);
        Assert.True(check.IsValid, check.Failure);
        Assert.Single(check.Signatures.Ignored);
        Assert.True(new EvidenceVerifier(F.Network).Verify(F.Bundle(note), Today).IsValid);
    }

    [Fact]
    public void A_cosignature_by_another_key_under_a_member_witness_name_is_refused()
    {
        // Same name as Zhuzhou's witness, a key the configuration does not give for it.
        var impostor = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor("huren.cz-t/430200"), TestKeys.Ed25519("impostor"));
        var note = CosignatureSigner.Cosign(F.Note, impostor, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var result = new EvidenceVerifier(F.Network).Verify(F.Bundle(note), Today);
        Assert.False(result.IsValid);
        Assert.Contains("huren.cz-t/430200/witness has key ID", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_SM2_key_in_the_configuration_the_SM2_line_is_ignored_as_C2SP_requires()
    {
        var config = NetworkConfig.Parse(F.Network.Config.ToJson());
        config.MemberByOrigin(Origin)!.Sm2PublicKey = "";
        var verifier = TrustedNetwork.From(config).ByOrigin(Origin)!.CheckpointVerifier;
        var tampered = F.WithFlippedByte(F.LineIndex("sm2"), 10);
        var check = verifier.Verify(tampered);
        Assert.True(check.IsValid, check.Failure);
        Assert.Null(verifier.Sm2Key);
    }

    /// <summary>A three-city network, a two-entry log in Changsha and its checkpoint cosigned by both other witnesses.</summary>
    private sealed class Fixture
    {
        private readonly List<byte[]> _leaves = [];
        private readonly MemoryMerkleTree _tree = new();

        public Fixture()
        {
            var members = new List<NetworkMember>();
            var witnesses = new Dictionary<string, NoteSignerKey>();
            var root = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
            var logKey = TestKeys.Ed25519("log-430100");
            foreach (var city in new[] { "430100", "430200", "430300" })
            {
                var origin = $"huren.cz-t/{city}";
                witnesses[city] = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), TestKeys.Ed25519("witness-" + city));
                members.Add(new NetworkMember
                {
                    CityCode = city, Origin = origin, Name = city,
                    LogKey = NoteVerifierKey.ForEd25519(origin, TestKeys.Ed25519("log-" + city).PublicKey).ToString(),
                    WitnessKey = witnesses[city].VerifierKey.ToString(),
                    Sm2PublicKey = city == "430100" ? TestKeys.Sm2.PublicKey.ToPem() : SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey.ToPem(),
                    RootKey = (city == "430100" ? root : SigningKey.Generate(SignatureAlgorithm.Ed25519)).PublicKey.ToPem(),
                });
            }
            Network = TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 1, Members = members }.ToJson());

            var issuer = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
            var time = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);
            var registration = new IssuerRegistered
            {
                IssuerId = "430100-amr", Name = "长沙市市场监督管理局", DepartmentKind = "market-regulation", RegionCode = "430100",
                PublicKey = issuer.PublicKey.SubjectPublicKeyInfo, Algorithm = issuer.Algorithm, LicenseTypeCodes = ["x"],
            };
            var license = new LicenseIssued { LicenseId = Subject, TypeCode = "x", Name = "营业执照", ValidFrom = "2024-03-01", DocumentDigest = new byte[32], DigestAlgorithm = "sha256" };
            Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, Origin, "430100-amr", "430100-root", registration, time), root));
            Append(EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseIssue, Origin, Subject, "430100-amr", license, time), issuer));

            var note = new CheckpointSigner(Origin, logKey, TestKeys.Sm2).Sign(_tree.Size, _tree.Root().AsSpan());
            foreach (var city in new[] { "430200", "430300" }) note = CosignatureSigner.Cosign(note, witnesses[city], DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
            Note = note;
        }

        public const string Subject = "LICENSE-1";

        public TrustedNetwork Network { get; }

        public SignedNote Note { get; }

        public int LineIndex(string line) => line switch
        {
            "ed25519" => 0,
            "sm2" => 1,
            _ => 2,
        };

        public SignedNote WithFlippedByte(int line, int position)
        {
            var s = Note.Signatures[line];
            var bytes = Convert.FromBase64String(s.EncodedSignature());
            bytes[position] ^= 0x01;
            var lines = Note.Signatures.ToList();
            lines[line] = NoteSignature.ParseLine($"— {s.Name} {Convert.ToBase64String(bytes)}");
            return SignedNote.Create(Note.Text, lines);
        }

        public SignedNote Without(params int[] lines)
            => SignedNote.Create(Note.Text, Note.Signatures.Where((_, i) => !lines.Contains(i)));

        public EvidenceBundle Bundle(SignedNote note)
        {
            var bundle = new EvidenceBundle
            {
                Network = "cz-t", Subject = Subject, CreatedAt = DateTimeOffset.FromUnixTimeSeconds(1_795_000_000),
                Verdict = new BundleVerdict { Status = "VALID", AsOf = new BundleCheckpointRef { Origin = Origin, Size = _tree.Size } },
            };
            for (var i = 0; i < _leaves.Count; i++)
            {
                bundle.Entries.Add(new BundleEntry
                {
                    Origin = Origin, Index = (ulong)i, Leaf = Convert.ToBase64String(_leaves[i]), TreeSize = _tree.Size,
                    InclusionProof = [.. MerkleProofBuilder.InclusionProof((ulong)i, _tree.Size, _tree.SubtreeLookup).Select(h => Convert.ToBase64String(h.AsSpan()))],
                });
            }
            bundle.Checkpoints[Origin] = note.ToString();
            return bundle;
        }

        private void Append(byte[] leaf)
        {
            _leaves.Add(leaf);
            _tree.Append(leaf);
        }
    }
}
