using System.Text;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Network;

/// <summary>
/// One version of the network configuration, parsed once: every member's keys as typed keys, checked when it is made.
/// The one place member keys are parsed; everything that verifies a checkpoint, a cosignature, an issuer registration
/// or a peer's certificate takes its keys from here. Immutable.
/// </summary>
public sealed class TrustedNetwork
{
    private readonly Dictionary<string, TrustedMember> _byOrigin = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrustedMember> _byCity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyList<NoteVerifierKey>> _witnesses = new(StringComparer.Ordinal);

    private TrustedNetwork(NetworkConfig config, byte[] bytes, List<TrustedMember> members)
    {
        Config = config;
        Bytes = bytes;
        Members = members;
        foreach (var member in members)
        {
            _byOrigin[member.Origin] = member;
            _byCity[member.CityCode] = member;
        }
        var allWitnesses = new List<NoteVerifierKey>(members.Count);
        foreach (var member in members) allWitnesses.Add(member.WitnessKey);
        RequireDistinctWitnessKeys(members);
        foreach (var member in members)
        {
            var others = new List<NoteVerifierKey>(members.Count - 1);
            foreach (var other in members)
            {
                if (!ReferenceEquals(other, member)) others.Add(other.WitnessKey);
            }
            _witnesses[member.Origin] = others;
            member.SetCheckpointVerifier(allWitnesses, RetiredWitnessKeys(members));
        }
    }

    // One witness key (current or retired) belongs to one member: listed under two names, one witness's cosignature
    // (which does not sign the name) could be copied under the other's and count twice towards finality.
    private static void RequireDistinctWitnessKeys(List<TrustedMember> members)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in members)
        {
            foreach (var key in WitnessKeysOf(member))
            {
                var material = Convert.ToBase64String(key.KeyMaterial);
                if (owners.TryGetValue(material, out var owner) && !string.Equals(owner, member.CityCode, StringComparison.Ordinal))
                    throw new FormatException($"members[{member.CityCode}]: its witness key {key.Name}+{key.KeyId:x8} is also listed for member {owner}");
                owners[material] = member.CityCode;
            }
        }
    }

    private static IEnumerable<NoteVerifierKey> WitnessKeysOf(TrustedMember member)
    {
        yield return member.WitnessKey;
        foreach (var r in member.RetiredNoteKeys)
        {
            if (r.Key.Type == NoteSignatureType.CosignatureV1) yield return r.Key;
        }
    }

    // Every member's retired witness keys: any checkpoint may carry their cosignatures.
    private static List<RetiredNoteKey> RetiredWitnessKeys(List<TrustedMember> members)
    {
        var keys = new List<RetiredNoteKey>();
        foreach (var member in members)
        {
            foreach (var r in member.RetiredNoteKeys)
            {
                if (r.Key.Type == NoteSignatureType.CosignatureV1) keys.Add(r);
            }
        }
        return keys;
    }

    /// <summary>The document as parsed (its JSON model).</summary>
    public NetworkConfig Config { get; }

    /// <summary>The document's exact bytes (what the next version's <c>previous</c> digests).</summary>
    public byte[] Bytes { get; }

    /// <summary>The network id, e.g. <c>cz-t</c>.</summary>
    public string NetworkId => Config.NetworkId;

    /// <summary>1 for the genesis, then +1 per version.</summary>
    public int Version => Config.Version;

    /// <summary>Cosignatures from members other than the origin that make a checkpoint final.</summary>
    public int WitnessThreshold => Config.WitnessThreshold;

    /// <summary>The members, in document order.</summary>
    public IReadOnlyList<TrustedMember> Members { get; }

    /// <summary>The member whose log is <paramref name="origin"/>, if any.</summary>
    public TrustedMember? ByOrigin(string origin) => _byOrigin.GetValueOrDefault(origin);

    /// <summary>The member with city code <paramref name="cityCode"/>, if any.</summary>
    public TrustedMember? ByCity(string cityCode) => _byCity.GetValueOrDefault(cityCode);

    /// <summary>The witness keys that count towards finality of <paramref name="origin"/>'s checkpoints: every other member's.</summary>
    public IReadOnlyList<NoteVerifierKey> WitnessesFor(string origin) => _witnesses.GetValueOrDefault(origin) ?? [];

    /// <summary>
    /// Whether <paramref name="note"/> (a checkpoint of <paramref name="origin"/>) verifies under the member's
    /// <see cref="TrustedMember.CheckpointVerifier"/> and carries the threshold of valid cosignatures.
    /// </summary>
    public bool IsFinal(string origin, SignedNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (ByOrigin(origin) is not { } member) return false;
        return Finality(member.CheckpointVerifier.Verify(note)).IsFinal;
    }

    /// <summary>
    /// The finality of a checkpoint a member's <see cref="TrustedMember.CheckpointVerifier"/> checked: a rejected note
    /// is never final; otherwise its cosignatures from distinct other members count against the witness threshold.
    /// </summary>
    /// <param name="verified">The verifier's outcome.</param>
    /// <param name="notAfter">If given, cosignatures timestamped later than this do not count.</param>
    public FinalityResult Finality(CheckpointVerification verified, DateTimeOffset? notAfter = null)
        => FinalityCheck.Evaluate(verified, WitnessThreshold, notAfter);

    /// <summary>Parses <paramref name="bytes"/> (a configuration file as is).</summary>
    /// <exception cref="FormatException">Not a valid configuration, or a member key does not parse; the message names the member and the field.</exception>
    public static TrustedNetwork Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return From(NetworkConfig.Parse(Encoding.UTF8.GetString(bytes)), bytes);
    }

    /// <summary>Parses <paramref name="json"/>.</summary>
    /// <exception cref="FormatException">As <see cref="Parse(byte[])"/>.</exception>
    public static TrustedNetwork Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    /// <summary>The keys of <paramref name="config"/> (checked for shape first), with the bytes it was read from (its JSON when null).</summary>
    /// <exception cref="FormatException">As <see cref="Parse(byte[])"/>.</exception>
    public static TrustedNetwork From(NetworkConfig config, byte[]? bytes = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        bytes ??= Encoding.UTF8.GetBytes(config.ToJson());
        // The shape rules (ids, origins, threshold) are the document's; re-check them for a model built in code.
        NetworkConfig.Parse(config.ToJson());
        var members = new List<TrustedMember>(config.Members.Count);
        foreach (var m in config.Members) members.Add(TrustedMember.Parse(m));
        return new TrustedNetwork(config, bytes, members);
    }
}

/// <summary>A member city with its keys parsed.</summary>
public sealed class TrustedMember
{
    private TrustedMember(NetworkMember document, NoteVerifierKey logKey, NoteVerifierKey witnessKey, PublicKey? sm2Key, PublicKey rootKey, Uri? endpoint, string tlsPin,
        List<RetiredNoteKey> retiredNoteKeys, List<RetiredRootKey> retiredRootKeys)
    {
        RetiredNoteKeys = retiredNoteKeys;
        RetiredRootKeys = retiredRootKeys;
        Document = document;
        LogKey = logKey;
        WitnessKey = witnessKey;
        Sm2Key = sm2Key;
        Sm2NoteKey = sm2Key is null ? null : NoteVerifierKey.ForSm2(document.Origin, sm2Key);
        RootKey = rootKey;
        Endpoint = endpoint;
        TlsCertificateSha256 = tlsPin;
    }

    /// <summary>The member as the document states it.</summary>
    public NetworkMember Document { get; }

    /// <summary>6-digit 行政区划代码.</summary>
    public string CityCode => Document.CityCode;

    /// <summary>Name.</summary>
    public string Name => Document.Name;

    /// <summary>The log's origin, <c>huren.&lt;network&gt;/&lt;city&gt;</c>.</summary>
    public string Origin => Document.Origin;

    /// <summary>The issuer id its city root writes under, <c>&lt;city&gt;-root</c>.</summary>
    public string RootIssuerId => CityCode + "-root";

    /// <summary>Ed25519 (type 0x01) verifier key of the log's checkpoints, named by the origin.</summary>
    public NoteVerifierKey LogKey { get; }

    /// <summary>cosignature/v1 (type 0x04) verifier key of the member's witness.</summary>
    public NoteVerifierKey WitnessKey { get; }

    /// <summary>The SM2 checkpoint key, when the member lists one.</summary>
    public PublicKey? Sm2Key { get; }

    /// <summary>The SM2 key as a note verifier key (type 0xff, named by the origin), when listed.</summary>
    public NoteVerifierKey? Sm2NoteKey { get; }

    /// <summary>The city root key: registers and revokes issuers, signs configuration updates.</summary>
    public PublicKey RootKey { get; }

    /// <summary>The node's gRPC endpoint, when listed.</summary>
    public Uri? Endpoint { get; }

    /// <summary>Lower-case hex SHA-256 of the node's TLS certificate (DER); empty when not pinned.</summary>
    public string TlsCertificateSha256 { get; }

    /// <summary>Keys this member used before a rotation, as the document states them.</summary>
    public IReadOnlyList<RetiredKey> RetiredKeys => Document.RetiredKeys;

    /// <summary>The retired log, SM2 and witness keys, parsed, with their ends (<see cref="CheckpointVerifier"/> honours them).</summary>
    public IReadOnlyList<RetiredNoteKey> RetiredNoteKeys { get; }

    /// <summary>The retired city root keys, parsed, with their ends.</summary>
    public IReadOnlyList<RetiredRootKey> RetiredRootKeys { get; }

    /// <summary>
    /// The root keys that may have signed an entry dated <paramref name="entryTime"/>: the current one, then every
    /// retired one not revoked whose end is not before that time (none ended by size only: an entry's index is not its
    /// checkpoint's size).
    /// </summary>
    public IEnumerable<PublicKey> RootKeysAt(DateTimeOffset entryTime)
    {
        yield return RootKey;
        foreach (var r in RetiredRootKeys)
        {
            if (r.SignsAt(entryTime)) yield return r.Key;
        }
    }

    /// <summary>
    /// Whether <paramref name="signed"/> verifies under one of the <see cref="RootKeysAt"/> the time of the entry it
    /// signs (<paramref name="entryTimeUnixMs"/>); else <paramref name="error"/> is the first key's failure.
    /// </summary>
    public bool IsRootSigned(SignedEntry signed, long entryTimeUnixMs, out string? error)
    {
        ArgumentNullException.ThrowIfNull(signed);
        error = null;
        foreach (var key in RootKeysAt(DateTimeOffset.FromUnixTimeMilliseconds(entryTimeUnixMs)))
        {
            if (SignedEntryVerifier.Verify(signed, key, out var keyError)) return true;
            error ??= keyError;
        }
        return false;
    }

    /// <summary>
    /// Verifies a checkpoint note of this member received now (a witness or a mirror): as
    /// <see cref="VerifyCheckpoint(SignedNote)"/>, and a note signed with a retired key is accepted while
    /// <paramref name="receivedAt"/> is not after the key's end.
    /// </summary>
    public CheckpointVerification VerifyCheckpoint(SignedNote note, DateTimeOffset receivedAt) => CheckpointVerifier.Verify(note, receivedAt);

    /// <summary>
    /// The one rule for this member's checkpoints (checkpoints.md: a note whose known key's line fails is rejected), with
    /// every key the configuration gives for them: the Ed25519 <see cref="LogKey"/> (its line required), the
    /// <see cref="Sm2NoteKey"/> when listed (its line required too), and every member's <see cref="WitnessKey"/> (each
    /// cosignature line verified when present; a failing one rejects the note). With an SM2 key listed the keys are
    /// complete, so a line under one of their names with another key ID rejects the note as well; without one the
    /// origin's SM2 line is a line of an unknown key and ignored. Everything that checks a checkpoint (evidence bundles,
    /// finality, mirrors, the witness, the cosignature collector, the CLI) uses this verifier.
    /// </summary>
    public CheckpointVerifier CheckpointVerifier { get; private set; } = null!;

    /// <summary>Verifies a checkpoint note of this member with <see cref="CheckpointVerifier"/>.</summary>
    public CheckpointVerification VerifyCheckpoint(string note) => CheckpointVerifier.Verify(note ?? "");

    /// <summary>Verifies a parsed checkpoint note of this member with <see cref="CheckpointVerifier"/>.</summary>
    public CheckpointVerification VerifyCheckpoint(SignedNote note) => CheckpointVerifier.Verify(note);

    // Set once by the network that holds the member, which knows every member's witness key.
    internal void SetCheckpointVerifier(IReadOnlyList<NoteVerifierKey> allWitnessKeys, IReadOnlyList<RetiredNoteKey> allRetiredWitnessKeys)
    {
        var retired = new List<RetiredNoteKey>(allRetiredWitnessKeys);
        foreach (var r in RetiredNoteKeys)
        {
            if (r.Key.Type != NoteSignatureType.CosignatureV1) retired.Add(r);
        }
        CheckpointVerifier = new CheckpointVerifier(LogKey, Sm2NoteKey, allWitnessKeys, retired);
    }

    internal static TrustedMember Parse(NetworkMember m)
    {
        var at = $"members[{m.CityCode}]";
        if (!NoteVerifierKey.TryParse(m.LogKey, out var logKey, out var error)) throw new FormatException($"{at}.logKey: {error}");
        if (logKey.Type != NoteSignatureType.Ed25519) throw new FormatException($"{at}.logKey: type 0x{(byte)logKey.Type:x2}, not Ed25519 (0x01)");
        if (!string.Equals(logKey.Name, m.Origin, StringComparison.Ordinal)) throw new FormatException($"{at}.logKey: named '{logKey.Name}', not the origin '{m.Origin}'");
        if (!NoteVerifierKey.TryParse(m.WitnessKey, out var witnessKey, out error)) throw new FormatException($"{at}.witnessKey: {error}");
        if (witnessKey.Type != NoteSignatureType.CosignatureV1) throw new FormatException($"{at}.witnessKey: type 0x{(byte)witnessKey.Type:x2}, not cosignature/v1 (0x04)");
        // Finality counts a member's witness by its key's name (a cosignature does not sign the name): a witness named
        // otherwise could pass for another member's, or its own origin's witness for someone else's.
        var witnessName = CosignatureSigner.WitnessNameFor(m.Origin);
        if (!string.Equals(witnessKey.Name, witnessName, StringComparison.Ordinal)) throw new FormatException($"{at}.witnessKey: named '{witnessKey.Name}', not '{witnessName}'");
        PublicKey? sm2 = null;
        if (!string.IsNullOrWhiteSpace(m.Sm2PublicKey))
        {
            sm2 = PemKey(m.Sm2PublicKey, $"{at}.sm2PublicKey");
            if (sm2.Algorithm != SignatureAlgorithm.Sm2Sm3) throw new FormatException($"{at}.sm2PublicKey: a {sm2.Algorithm} key, not SM2");
        }
        var root = PemKey(m.RootKey, $"{at}.rootKey");
        Uri? endpoint = null;
        if (!string.IsNullOrEmpty(m.Endpoint) && !Uri.TryCreate(m.Endpoint, UriKind.Absolute, out endpoint)) throw new FormatException($"{at}.endpoint: '{m.Endpoint}' is not an absolute URI");
        var pin = m.TlsCertificateSha256.ToLowerInvariant();
        if (pin.Length != 0 && (pin.Length != 64 || !pin.All(char.IsAsciiHexDigit))) throw new FormatException($"{at}.tlsCertificateSha256: not 64 hex digits");
        var retiredNote = new List<RetiredNoteKey>();
        var retiredRoot = new List<RetiredRootKey>();
        // One entry per retired key: two (an end and a revocation, say) would be read differently by readers that take
        // the first, the last or any of them.
        void Once(bool listedBefore, string field)
        {
            if (listedBefore) throw new FormatException($"{field}: the key is retired twice in this member's retiredKeys; give it one entry (revoked, or one end)");
        }
        for (var i = 0; i < m.RetiredKeys.Count; i++)
        {
            var r = m.RetiredKeys[i];
            var field = $"{at}.retiredKeys[{i}]";
            var end = r.End();
            switch (r.Kind)
            {
                case "log":
                    var oldLog = NoteKey(r.Key, field, NoteSignatureType.Ed25519, m.Origin);
                    if (oldLog.Equals(logKey)) throw new FormatException($"{field}: the retired log key is the member's current logKey");
                    Once(retiredNote.Exists(k => k.Key.Equals(oldLog)), field);
                    retiredNote.Add(new RetiredNoteKey(oldLog, end, r.RetiredAtSize, r.Revoked));
                    break;
                case "witness":
                    var oldWitness = NoteKey(r.Key, field, NoteSignatureType.CosignatureV1, witnessKey.Name);
                    if (oldWitness.Equals(witnessKey)) throw new FormatException($"{field}: the retired witness key is the member's current witnessKey");
                    // A witness cosigns every member's log, so an end by one log's size bounds nothing: its cosignatures
                    // would count for ever.
                    if (r.NotAfter is null && !r.Revoked) throw new FormatException($"{field}: a retired witness key needs notAfter or revoked (retiredAtSize does not end a witness key)");
                    Once(retiredNote.Exists(k => k.Key.Equals(oldWitness)), field);
                    retiredNote.Add(new RetiredNoteKey(oldWitness, end, r.RetiredAtSize, r.Revoked));
                    break;
                case "sm2":
                    var oldSm2 = PemKey(r.Key, $"{field}.key");
                    if (oldSm2.Algorithm != SignatureAlgorithm.Sm2Sm3) throw new FormatException($"{field}.key: a {oldSm2.Algorithm} key, not SM2");
                    var oldSm2Note = NoteVerifierKey.ForSm2(m.Origin, oldSm2);
                    if (sm2 is not null && oldSm2Note.Equals(NoteVerifierKey.ForSm2(m.Origin, sm2))) throw new FormatException($"{field}: the retired SM2 key is the member's current sm2PublicKey");
                    Once(retiredNote.Exists(k => k.Key.Equals(oldSm2Note)), field);
                    retiredNote.Add(new RetiredNoteKey(oldSm2Note, end, r.RetiredAtSize, r.Revoked));
                    break;
                case "root":
                    var oldRoot = PemKey(r.Key, $"{field}.key");
                    // Current and retired at once, the current reading would win and a revocation go unheeded.
                    if (oldRoot.Id == root.Id) throw new FormatException($"{field}: the retired root key is the member's current rootKey");
                    Once(retiredRoot.Exists(k => k.Key.Id == oldRoot.Id), field);
                    retiredRoot.Add(new RetiredRootKey(oldRoot, end, r.Revoked));
                    break;
                default:
                    // tls: kept as stated; a certificate pin is the version in force's only.
                    break;
            }
        }
        return new TrustedMember(m, logKey, witnessKey, sm2, root, endpoint, pin, retiredNote, retiredRoot);
    }

    private static NoteVerifierKey NoteKey(string vkey, string field, NoteSignatureType type, string name)
    {
        if (!NoteVerifierKey.TryParse(vkey, out var key, out var error)) throw new FormatException($"{field}.key: {error}");
        if (key.Type != type) throw new FormatException($"{field}.key: type 0x{(byte)key.Type:x2}, not 0x{(byte)type:x2}");
        if (!string.Equals(key.Name, name, StringComparison.Ordinal)) throw new FormatException($"{field}.key: named '{key.Name}', not '{name}'");
        return key;
    }

    private static PublicKey PemKey(string pem, string field)
    {
        try
        {
            return PublicKey.FromPem(pem);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            throw new FormatException($"{field}: {ex.Message}", ex);
        }
    }
}

/// <summary>A retired city root key with its end.</summary>
/// <param name="Key">The key.</param>
/// <param name="NotAfter">The last moment an entry it signed may be dated, or null (then it signs nothing that counts).</param>
/// <param name="Revoked">Whether nothing it signed counts.</param>
public sealed record RetiredRootKey(PublicKey Key, DateTimeOffset? NotAfter, bool Revoked)
{
    /// <summary>
    /// Whether it may have signed an entry dated <paramref name="entryTime"/>: not revoked, and that time is not after
    /// its end (one ended by size only signs nothing that counts: an entry's index is not its checkpoint's size). The one
    /// rule for retired root keys, of evidence verification, the auditor and the node's ledger rules alike.
    /// </summary>
    public bool SignsAt(DateTimeOffset entryTime) => !Revoked && NotAfter is { } end && entryTime <= end;
}
