using System.Diagnostics.CodeAnalysis;

namespace Huren.Sdk.Notes;

/// <summary>
/// Verifies one origin's checkpoints: a well-formed checkpoint body of that origin, the log's Ed25519 signature
/// (required), when an SM2 key is given its SM2 signature (then required too), and the lines of the given witness keys
/// when present. Any failing line of a known key rejects the note (checkpoints.md); lines from unknown keys are
/// ignored, except that a verifier told its keys are complete (as the network configuration's are,
/// <see cref="Network.TrustedMember.CheckpointVerifier"/>) also rejects a line under one of its key names with another
/// key ID. Retired keys (<see cref="RetiredNoteKey"/>) stand in for the current log or SM2 key, or count as a witness's,
/// only for what they signed before their end (<see cref="Verify(SignedNote, IEnumerable{NoteVerifierKey}, DateTimeOffset?)"/>).
/// Thread-safe.
/// </summary>
public sealed class CheckpointVerifier
{
    private readonly NoteVerifierKey[] _witnessKeys;
    private readonly RetiredNoteKey[] _retired;

    /// <summary>A verifier for the origin named by <paramref name="logKey"/>.</summary>
    /// <param name="logKey">The log's Ed25519 (type 0x01) key; its name is the origin.</param>
    /// <param name="sm2Key">
    /// The log's SM2 (type 0xff) key, same name, or null. When given, its line is required; to verify an SM2 line only
    /// when present, pass the key as an additional known key instead.
    /// </param>
    /// <param name="witnessKeys">Witness (type 0x04) keys whose cosignature lines must verify when present.</param>
    /// <param name="retiredKeys">
    /// Retired log (type 0x01, named by the origin), SM2 (type 0xff) and witness (type 0x04) keys: a note signed with a
    /// retired log or SM2 key instead of the current one, or cosigned with a retired witness key, is accepted only when
    /// it was signed before the key's end (see <see cref="Verify(SignedNote, IEnumerable{NoteVerifierKey}, DateTimeOffset?)"/>).
    /// </param>
    /// <exception cref="ArgumentException">A key of the wrong type, or an SM2 key named differently.</exception>
    public CheckpointVerifier(NoteVerifierKey logKey, NoteVerifierKey? sm2Key = null, IEnumerable<NoteVerifierKey>? witnessKeys = null,
        IEnumerable<RetiredNoteKey>? retiredKeys = null)
    {
        ArgumentNullException.ThrowIfNull(logKey);
        if (logKey.Type != NoteSignatureType.Ed25519)
            throw new ArgumentException($"a log key is Ed25519 (type 0x01), got type 0x{(byte)logKey.Type:x2}", nameof(logKey));
        if (sm2Key is not null)
        {
            if (sm2Key.Type != NoteSignatureType.HurenSm2Sm3)
                throw new ArgumentException($"an SM2 log key is type 0xff, got type 0x{(byte)sm2Key.Type:x2}", nameof(sm2Key));
            if (!string.Equals(sm2Key.Name, logKey.Name, StringComparison.Ordinal))
                throw new ArgumentException($"the SM2 key is named '{sm2Key.Name}', the log key '{logKey.Name}'", nameof(sm2Key));
        }
        var witnesses = new List<NoteVerifierKey>();
        foreach (var key in witnessKeys ?? [])
        {
            ArgumentNullException.ThrowIfNull(key, nameof(witnessKeys));
            if (key.Type != NoteSignatureType.CosignatureV1)
                throw new ArgumentException($"witness key {key.Name}+{key.KeyIdHex} is type 0x{(byte)key.Type:x2}, expected 0x04", nameof(witnessKeys));
            witnesses.Add(key);
        }
        LogKey = logKey;
        Sm2Key = sm2Key;
        _witnessKeys = [.. witnesses];
        var retired = new List<RetiredNoteKey>();
        foreach (var r in retiredKeys ?? [])
        {
            ArgumentNullException.ThrowIfNull(r, nameof(retiredKeys));
            var ofLog = r.Key.Type is NoteSignatureType.Ed25519 or NoteSignatureType.HurenSm2Sm3;
            if (ofLog && !string.Equals(r.Key.Name, logKey.Name, StringComparison.Ordinal))
                throw new ArgumentException($"retired log key {r.Key.Name}+{r.Key.KeyIdHex} is not named by the origin '{logKey.Name}'", nameof(retiredKeys));
            if (!ofLog && r.Key.Type != NoteSignatureType.CosignatureV1)
                throw new ArgumentException($"retired key {r.Key.Name}+{r.Key.KeyIdHex} is type 0x{(byte)r.Key.Type:x2}, not a log, SM2 or witness key", nameof(retiredKeys));
            retired.Add(r);
        }
        _retired = [.. retired];
    }

    /// <summary>The retired keys this verifier honours before their end.</summary>
    public IReadOnlyList<RetiredNoteKey> RetiredKeys => _retired;

    /// <summary>The origin (the log key's name).</summary>
    public string Origin => LogKey.Name;

    /// <summary>The Ed25519 log key.</summary>
    public NoteVerifierKey LogKey { get; }

    /// <summary>The required SM2 key, or null.</summary>
    public NoteVerifierKey? Sm2Key { get; }

    /// <summary>The witness keys whose lines are verified when present.</summary>
    public IReadOnlyList<NoteVerifierKey> WitnessKeys => _witnessKeys;

    /// <summary>Parses and verifies a note given as UTF-8 bytes.</summary>
    public CheckpointVerification Verify(ReadOnlySpan<byte> noteUtf8)
        => SignedNote.TryParse(noteUtf8, out var note, out var error) ? Verify(note) : CheckpointVerification.Fail("malformed note: " + error, null);

    /// <summary>Parses and verifies a note.</summary>
    public CheckpointVerification Verify(string note)
        => SignedNote.TryParse(note, out var parsed, out var error) ? Verify(parsed) : CheckpointVerification.Fail("malformed note: " + error, null);

    /// <summary>Verifies a parsed note.</summary>
    public CheckpointVerification Verify(SignedNote note) => Verify(note, []);

    /// <summary>The outcome for a note that did not parse, with the parser's <paramref name="error"/>.</summary>
    public static CheckpointVerification Malformed(string? error) => CheckpointVerification.Fail("malformed note: " + error, null);

    /// <summary>Verifies a parsed note, also checking lines of <paramref name="otherKnownKeys"/> when present.</summary>
    /// <exception cref="ArgumentException">An other known key conflicts with the verifier's keys (same name and key ID, other key).</exception>
    public CheckpointVerification Verify(SignedNote note, IEnumerable<NoteVerifierKey> otherKnownKeys) => Verify(note, otherKnownKeys, null);

    /// <summary>
    /// Verifies a parsed note received at <paramref name="receivedAt"/> (a witness or mirror judging a note it is given
    /// now): a note signed with a retired log or SM2 key is accepted while that moment is not after the key's end.
    /// </summary>
    public CheckpointVerification Verify(SignedNote note, DateTimeOffset receivedAt) => Verify(note, [], receivedAt);

    /// <summary>
    /// Verifies a parsed note, also checking lines of <paramref name="otherKnownKeys"/> when present. The note may be
    /// signed with a retired log or SM2 key instead of the current one; then it is accepted only when no valid
    /// cosignature is dated after the key's end and either one is dated at or before it, or the note was received
    /// (<paramref name="receivedAt"/>) at or before it; never for a revoked key or a size from which the key was
    /// retired. A cosignature by a retired witness key must be dated at or before that key's end (never revoked).
    /// </summary>
    /// <exception cref="ArgumentException">An other known key conflicts with the verifier's keys (same name and key ID, other key).</exception>
    public CheckpointVerification Verify(SignedNote note, IEnumerable<NoteVerifierKey> otherKnownKeys, DateTimeOffset? receivedAt)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(otherKnownKeys);
        if (!Checkpoint.TryParse(note.Text, Origin, out var checkpoint, out var error))
            return CheckpointVerification.Fail("malformed checkpoint: " + error, note);
        // A line whose name and key ID match no key given here is ignored, even under a known name (signed-note: "even
        // if they share a name or ID (but not both)"), e.g. a witness's second, post-quantum key.
        var log = SigningKey(note, LogKey);
        (NoteVerifierKey Key, RetiredNoteKey? Retired)? sm2 = Sm2Key is null ? null : SigningKey(note, Sm2Key);
        NoteVerifierKey[] required = sm2 is { } s ? [log.Key, s.Key] : [log.Key];
        var known = _retired.Length == 0 ? _witnessKeys.Concat(otherKnownKeys) : _witnessKeys.Concat(RetiredWitnessKeys()).Concat(otherKnownKeys);
        var signatures = note.Verify(known, required);
        if (!signatures.IsValid) return CheckpointVerification.Fail(signatures.Failure, note, signatures);
        if (_retired.Length != 0 && RetirementRefusal(checkpoint, signatures, log.Retired, sm2?.Retired, receivedAt) is { } refused)
            return CheckpointVerification.Fail(refused, note, signatures);
        return new CheckpointVerification(null, note, checkpoint, signatures);
    }

    // The key the note's line for current's name and type is from: the current key, else a retired one the note has a
    // line of (else the current key, whose missing line then rejects the note).
    private (NoteVerifierKey Key, RetiredNoteKey? Retired) SigningKey(SignedNote note, NoteVerifierKey current)
    {
        if (HasLineOf(note, current)) return (current, null);
        foreach (var r in _retired)
        {
            if (r.Key.Type == current.Type && HasLineOf(note, r.Key)) return (r.Key, r);
        }
        return (current, null);
    }

    private static bool HasLineOf(SignedNote note, NoteVerifierKey key)
    {
        foreach (var line in note.Signatures)
        {
            if (line.IsFrom(key)) return true;
        }
        return false;
    }

    private IEnumerable<NoteVerifierKey> RetiredWitnessKeys()
    {
        foreach (var r in _retired)
        {
            if (r.Key.Type == NoteSignatureType.CosignatureV1) yield return r.Key;
        }
    }

    // The retired-key rules, after every signature verified; null when none refuses the note.
    private string? RetirementRefusal(Checkpoint checkpoint, NoteVerification signatures, RetiredNoteKey? log, RetiredNoteKey? sm2, DateTimeOffset? receivedAt)
    {
        var ownWitness = CosignatureSigner.WitnessNameFor(Origin);
        // Cosignatures by retired witness keys count only up to the key's end.
        foreach (var verified in signatures.Verified)
        {
            if (verified.Key.Type != NoteSignatureType.CosignatureV1 || Retired(verified.Key) is not { } r) continue;
            if (r.Revoked) return $"cosignature by {r.Describe("witness key")}: nothing it signed is accepted";
            if (r.NotAfter is { } end && verified.Timestamp is { } time && time > (ulong)Math.Max(0, end.ToUnixTimeSeconds()))
                return $"cosignature by {r.Describe("witness key")} is dated {Format(time)}, after the key's end";
        }
        foreach (var (retired, role) in new[] { (log, "log key"), (sm2, "SM2 log key") })
        {
            if (retired is null) continue;
            if (retired.Revoked) return $"checkpoint is signed with {retired.Describe(role)}: nothing it signed is accepted";
            if (retired.RetiredAtSize > 0 && checkpoint.Size >= retired.RetiredAtSize)
                return $"checkpoint of size {checkpoint.Size} is signed with {retired.Describe(role)}";
            if (retired.NotAfter is not { } end) continue;
            var limit = (ulong)Math.Max(0, end.ToUnixTimeSeconds());
            var datedBefore = false;
            foreach (var verified in signatures.Verified)
            {
                if (verified.Key.Type != NoteSignatureType.CosignatureV1 || verified.Timestamp is not { } time) continue;
                // The origin's own witness does not date its own log.
                if (string.Equals(verified.Key.Name, ownWitness, StringComparison.Ordinal) || string.Equals(verified.Key.Name, Origin, StringComparison.Ordinal)) continue;
                if (time > limit) return $"checkpoint is signed with {retired.Describe(role)}, but the cosignature of {verified.Key.Name} dates it {Format(time)}, after the key's end";
                datedBefore = true;
            }
            if (datedBefore) continue;
            if (receivedAt is { } now)
            {
                if (now > end) return $"checkpoint is signed with {retired.Describe(role)} and was received at {now.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, after the key's end";
                continue;
            }
            return $"checkpoint is signed with {retired.Describe(role)}, and no cosignature dates it before the key's end";
        }
        return null;
    }

    private RetiredNoteKey? Retired(NoteVerifierKey key)
    {
        foreach (var r in _retired)
        {
            if (r.Key.Equals(key)) return r;
        }
        return null;
    }

    private static string Format(ulong unixSeconds)
        => unixSeconds > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds() ? unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : DateTimeOffset.FromUnixTimeSeconds((long)unixSeconds).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The outcome of <see cref="CheckpointVerifier.Verify(SignedNote, IEnumerable{NoteVerifierKey})"/>.</summary>
public sealed class CheckpointVerification
{
    internal CheckpointVerification(string? failure, SignedNote? note, Checkpoint? checkpoint, NoteVerification? signatures)
    {
        Failure = failure;
        Note = note;
        Checkpoint = checkpoint;
        Signatures = signatures;
    }

    /// <summary>Whether the checkpoint is accepted; then <see cref="Checkpoint"/> and <see cref="Signatures"/> are set.</summary>
    [MemberNotNullWhen(true, nameof(Checkpoint), nameof(Note), nameof(Signatures))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsValid => Failure is null;

    /// <summary>Why it is rejected, or null.</summary>
    public string? Failure { get; }

    /// <summary>The parsed note (null when it did not parse).</summary>
    public SignedNote? Note { get; }

    /// <summary>The verified checkpoint, or null when rejected.</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>The signature verification (which known keys verified, which lines were ignored), when it ran.</summary>
    public NoteVerification? Signatures { get; }

    internal static CheckpointVerification Fail(string failure, SignedNote? note, NoteVerification? signatures = null)
        => new(failure, note, null, signatures);
}
