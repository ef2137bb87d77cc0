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

/// <summary>
/// Changsha's and Zhuzhou's in-memory logs of a three-city network, built entry by entry with the SDK's signer, Merkle
/// tree and cosigner, so a test can write what a node would refuse: it registers departments, appends signed entries,
/// and builds exchange evidence bundles whose checkpoints are signed by each log (Ed25519 and SM2) and cosigned by the
/// other cities' witnesses. Shared by the exchange evidence tests.
/// </summary>
internal sealed class ExchangeLogs
{
    public const string Cs = "huren.cz-t/430100", Zz = "huren.cz-t/430200";

    /// <summary>The time of every entry, cosignature and bundle.</summary>
    public static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_000);

    private static readonly Lazy<(TrustedNetwork Network, Dictionary<string, (SigningKey Root, SigningKey Log, SigningKey Sm2)> Keys, Dictionary<string, NoteSignerKey> Witnesses)> Shared = new(Create);

    private readonly Dictionary<string, (List<byte[]> Leaves, MemoryMerkleTree Tree)> _logs = new(StringComparer.Ordinal)
    {
        [Cs] = ([], new MemoryMerkleTree()),
        [Zz] = ([], new MemoryMerkleTree()),
    };

    /// <summary>The network of these logs (witness threshold 2).</summary>
    public static TrustedNetwork Network => Shared.Value.Network;

    private static (TrustedNetwork, Dictionary<string, (SigningKey, SigningKey, SigningKey)>, Dictionary<string, NoteSignerKey>) Create()
    {
        var members = new List<NetworkMember>();
        var keys = new Dictionary<string, (SigningKey, SigningKey, SigningKey)>();
        var witnesses = new Dictionary<string, NoteSignerKey>();
        foreach (var city in new[] { "430100", "430200", "430300" })
        {
            var origin = $"huren.cz-t/{city}";
            var root = SigningKey.FromEd25519Seed(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes("root-" + city)));
            var log = TestKeys.Ed25519("xlog-" + city);
            var sm2 = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
            keys[origin] = (root, log, sm2);
            witnesses[origin] = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), TestKeys.Ed25519("xwitness-" + city));
            members.Add(new NetworkMember
            {
                CityCode = city, Origin = origin, Name = city,
                LogKey = NoteVerifierKey.ForEd25519(origin, log.PublicKey).ToString(),
                WitnessKey = witnesses[origin].VerifierKey.ToString(),
                Sm2PublicKey = sm2.PublicKey.ToPem(),
                RootKey = root.PublicKey.ToPem(),
            });
        }
        return (TrustedNetwork.Parse(new NetworkConfig { NetworkId = "cz-t", WitnessThreshold = 2, Members = members }.ToJson()), keys, witnesses);
    }

    /// <summary>The key <see cref="Register"/> gives <paramref name="issuerId"/> when it is not told one, and <see cref="Sign"/> signs with.</summary>
    public static SigningKey IssuerKey(string issuerId, string origin) => TestKeys.Ed25519($"exchange-refusal-{issuerId}-{origin}");

    /// <summary>Appends <paramref name="leaf"/> as it is; its index and the leaf.</summary>
    public (ulong Index, byte[] Leaf) Append(string origin, byte[] leaf)
    {
        var log = _logs[origin];
        log.Leaves.Add(leaf);
        log.Tree.Append(leaf);
        return ((ulong)log.Leaves.Count - 1, leaf);
    }

    /// <summary>The city root registers <paramref name="issuerId"/> of authority <paramref name="code"/> under <paramref name="key"/> (default: <see cref="IssuerKey"/>).</summary>
    public (ulong Index, byte[] Leaf) Register(string origin, string issuerId, string code, SigningKey? key = null, bool mayShare = true)
    {
        key ??= IssuerKey(issuerId, origin);
        var body = new IssuerRegistered
        {
            IssuerId = issuerId, Name = "市场监督管理局", DepartmentKind = "market-regulation", RegionCode = origin[^6..], AuthorityCode = code,
            PublicKey = key.PublicKey.SubjectPublicKeyInfo, Algorithm = key.Algorithm, LicenseTypeCodes = ["x"], MayShareData = mayShare,
        };
        return Append(origin, EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, origin, issuerId, $"{origin[^6..]}-root", body, Time), Shared.Value.Keys[origin].Root));
    }

    /// <summary>Appends an entry of <paramref name="issuerId"/> signed with its <see cref="IssuerKey"/> (the key it was registered under by default); its index.</summary>
    public ulong Sign<T>(string logOrigin, string kind, string recordId, string issuerId, T body, params EntryReference[] references) where T : class
        => Append(logOrigin, EntrySigner.SignToLeaf(Entry.Create(kind, logOrigin, recordId, issuerId, body, Time, references), IssuerKey(issuerId, logOrigin))).Index;

    public byte[] LeafHash(string origin, ulong index) => MerkleHash.LeafHash(_logs[origin].Leaves[(int)index]).ToArray();

    public ulong Size(string origin) => (ulong)_logs[origin].Leaves.Count;

    /// <summary>A share reference to <paramref name="origin"/>#<paramref name="index"/>.</summary>
    public EntryReference Ref(string origin, ulong index) => new() { Origin = origin, Index = index, LeafHash = LeafHash(origin, index), Relation = Relations.Share };

    /// <summary>A bundle of the given entries, each log's checkpoint at its current size cosigned by <paramref name="cosigners"/> witnesses.</summary>
    public EvidenceBundle Bundle(string subject, IEnumerable<(string Origin, ulong Index)> entries, int cosigners = 2)
    {
        var bundle = new EvidenceBundle
        {
            Network = "cz-t", Subject = subject, CreatedAt = Time,
            Verdict = new BundleVerdict { Status = ExchangeEvidenceVerifier.Received, AsOf = new BundleCheckpointRef { Origin = Cs, Size = Size(Cs) } },
        };
        foreach (var (origin, (_, tree)) in _logs)
        {
            var keys = Shared.Value.Keys[origin];
            var note = new CheckpointSigner(origin, keys.Log, keys.Sm2).Sign(tree.Size, tree.Root().AsSpan());
            foreach (var witness in Shared.Value.Witnesses.Where(w => w.Key != origin).Take(cosigners))
                note = CosignatureSigner.Cosign(note, witness.Value, Time);
            bundle.Checkpoints[origin] = note.ToString();
        }
        foreach (var (origin, index) in entries)
        {
            var (leaves, tree) = _logs[origin];
            bundle.Entries.Add(ProvenBundleEntry.Of(origin, index, leaves[(int)index], tree, tree.Size));
        }
        return bundle;
    }
}
