using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Anchoring;

/// <summary>Three member logs with real Ed25519 log and witness keys, each a small RFC 9162 tree, and final (cosigned) checkpoint notes.</summary>
internal sealed class AnchorTestNetwork
{
    public const string NetworkId = "cz-t";
    private readonly List<(string Origin, CheckpointSigner Signer, SigningKey Witness, MemoryMerkleTree Tree)> _logs = [];

    public AnchorTestNetwork(params string[] cities)
    {
        foreach (var city in cities)
        {
            var origin = $"huren.{NetworkId}/{city}";
            _logs.Add((origin, new CheckpointSigner(origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null), SigningKey.Generate(SignatureAlgorithm.Ed25519), new MemoryMerkleTree()));
        }
        Config = new NetworkConfig
        {
            NetworkId = NetworkId,
            WitnessThreshold = 1,
            Members = [.. _logs.Select(l => new NetworkMember
            {
                CityCode = l.Origin[^6..],
                Origin = l.Origin,
                LogKey = l.Signer.LogVerifierKey.ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(l.Origin), l.Witness.PublicKey).ToString(),
                // A complete member: the network is parsed with every key (TrustedNetwork), the root key included.
                RootKey = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.ToPem(),
            })],
        };
    }

    public NetworkConfig Config { get; }

    public IEnumerable<string> Origins => _logs.Select(l => l.Origin);

    public MemoryMerkleTree Tree(string origin) => _logs.Single(l => l.Origin == origin).Tree;

    /// <summary>Appends <paramref name="count"/> leaves to the log.</summary>
    public void Grow(string origin, int count)
    {
        var tree = Tree(origin);
        for (var i = 0; i < count; i++) tree.Append(System.Text.Encoding.UTF8.GetBytes($"{origin} entry {tree.Size}"));
    }

    /// <summary>The log's checkpoint at its current size (or <paramref name="size"/>), signed and cosigned by <paramref name="cosigners"/> other members.</summary>
    public string Note(string origin, ulong? size = null, int cosigners = 1)
    {
        var log = _logs.Single(l => l.Origin == origin);
        var at = size ?? log.Tree.Size;
        var checkpoint = new Checkpoint(origin, at, log.Tree.RootAt(at).AsSpan());
        var note = log.Signer.Sign(checkpoint);
        foreach (var other in _logs.Where(l => l.Origin != origin).Take(cosigners))
        {
            note = note.WithSignature(CosignatureSigner.Sign(checkpoint.ToString(), other.Witness, CosignatureSigner.WitnessNameFor(other.Origin), 1_790_000_000));
        }
        return note.ToString();
    }
}
