using System.Buffers.Binary;
using System.Text;
using Huren.Schemas.Validation;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;

namespace Huren.Fuzz;

/// <summary>
/// The fuzz targets: each takes untrusted bytes and drives one parser and the checks behind it. A target lets through
/// every exception except the one its API documents for malformed input, so afl sees any other exception as a crash.
/// </summary>
internal static class FuzzTargets
{
    private static readonly Dictionary<string, Action<byte[]>> Targets = new(StringComparer.Ordinal)
    {
        ["note"] = Note,
        ["cosignature"] = Cosignature,
        ["leaf"] = Leaf,
        ["bundle"] = Bundle,
        ["proof"] = Proof,
        ["network"] = NetworkConfiguration,
    };

    // The evidence vectors' two-city network (tests/Huren.Sdk.Tests/Evidence/Vectors/network.json): real member keys.
    private static readonly Lazy<TrustedNetwork> Network = new(() => TrustedNetwork.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "network.json"))));
    private static readonly Lazy<EvidenceVerifier> Verifier = new(() => new EvidenceVerifier(Network.Value));
    private static readonly DateOnly Today = new(2024, 6, 1);

    // A well-formed checkpoint body for the cosignature target to check lines against.
    private const string CheckpointBody = "huren.cz-t/430100\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

    public static IReadOnlyCollection<string> Names => Targets.Keys;

    public static Action<byte[]> Get(string name)
        => Targets.TryGetValue(name, out var target) ? target : throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", Names)}", nameof(name));

    /// <summary>C2SP signed note → checkpoint body → each member's checkpoint verifier (signatures, cosignatures, finality).</summary>
    private static void Note(byte[] input)
    {
        if (!SignedNote.TryParse(input, out var note, out _)) return;
        _ = Checkpoint.TryParse(note.Text, null, out _, out _);
        foreach (var signature in note.Signatures) _ = CosignatureVerifier.TryReadTimestamp(signature, out _);
        foreach (var member in Network.Value.Members)
        {
            var verified = member.CheckpointVerifier.Verify(note);
            _ = Network.Value.Finality(verified);
        }
        _ = note.ToString();
    }

    /// <summary>One signature line (as a peer's cosignature answer) → parsed → checked against every witness key.</summary>
    private static void Cosignature(byte[] input)
    {
        var line = Encoding.UTF8.GetString(input);
        if (!NoteSignature.TryParseLine(line, out var signature, out _)) return;
        _ = CosignatureVerifier.TryReadTimestamp(signature, out _);
        foreach (var member in Network.Value.Members) _ = CosignatureVerifier.Verify(CheckpointBody, signature, member.WitnessKey, out _);
    }

    /// <summary>A Merkle leaf: SignedEntry and Entry decoded with the canonical check, the body decoded and validated, the signature checked.</summary>
    private static void Leaf(byte[] input)
    {
        if (!LeafReader.TryRead(input, out var leaf, out _)) return;
        _ = EntryValidator.Validate(leaf!.Entry);
        foreach (var member in Network.Value.Members) _ = SignedEntryVerifier.Verify(leaf.Signed, member.RootKey, out _);
    }

    /// <summary>An evidence bundle's JSON, read and verified offline against the network (total: never throws).</summary>
    private static void Bundle(byte[] input)
    {
        var json = Encoding.UTF8.GetString(input);
        _ = Verifier.Value.Verify(json, Today, out _);
    }

    /// <summary>
    /// Proofs as they come off the wire. Byte 0 chooses inclusion, consistency or status map; then two big-endian
    /// 64-bit sizes, two 32-byte hashes, and the proof: for Merkle proofs length-prefixed hashes (any length, so wrong
    /// lengths are reachable), for status-map proofs the rest as is.
    /// </summary>
    private static void Proof(byte[] input)
    {
        if (input.Length < 1 + 16 + 64) return;
        var kind = input[0] % 3;
        var a = BinaryPrimitives.ReadUInt64BigEndian(input.AsSpan(1));
        var b = BinaryPrimitives.ReadUInt64BigEndian(input.AsSpan(9));
        var first = input.AsSpan(17, 32);
        var second = input.AsSpan(49, 32);
        var rest = input.AsSpan(81);
        if (kind == 2)
        {
            var root = new Hash256(first);
            var key = new Hash256(second);
            _ = StatusMapProof.TryParse(rest, out _, out _);
            _ = StatusMapProofVerifier.TryVerify(root, key, null, rest, out _);
            _ = StatusMapProofVerifier.TryVerify(root, key, root, rest, out _);
            return;
        }
        var hashes = new List<byte[]>();
        while (rest.Length > 0)
        {
            var length = Math.Min(rest[0] % 66, rest.Length - 1);
            hashes.Add(rest.Slice(1, length).ToArray());
            rest = rest[(1 + length)..];
        }
        if (kind == 0) _ = MerkleProofVerifier.TryVerifyInclusion(a, b, first, hashes, second, out _);
        else _ = MerkleProofVerifier.TryVerifyConsistency(a, b, first, second, hashes, out _);
    }

    /// <summary>A network configuration file (genesis or a later version): parsed with every member key.</summary>
    private static void NetworkConfiguration(byte[] input)
    {
        try
        {
            _ = TrustedNetwork.Parse(input);
        }
        catch (FormatException)
        {
            // Documented: not a valid configuration.
        }
    }
}
