using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>A three-city network, a two-entry log in Changsha and its checkpoint cosigned by both other witnesses.</summary>
internal sealed class ThreeCityLog
{
    private static readonly Lazy<ThreeCityLog> Lazy = new(() => new ThreeCityLog());

    private readonly List<byte[]> _leaves = [];
    private readonly MemoryMerkleTree _tree = new();

    public ThreeCityLog()
    {
        var members = new List<NetworkMember>();
        var witnesses = new Dictionary<string, NoteSignerKey>();
        Witnesses = witnesses;
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

    public const string Origin = "huren.cz-t/430100";

    /// <summary>One instance for all tests (key generation and SM2 signing are slow).</summary>
    public static ThreeCityLog Shared => Lazy.Value;

    public TrustedNetwork Network { get; }

    /// <summary>Each city's witness signing key (type 0x04, <c>&lt;origin&gt;/witness</c>), by city code.</summary>
    public IReadOnlyDictionary<string, NoteSignerKey> Witnesses { get; }

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
            bundle.Entries.Add(ProvenBundleEntry.Of(Origin, (ulong)i, _leaves[i], _tree, _tree.Size));
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
