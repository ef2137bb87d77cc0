using System.Diagnostics.CodeAnalysis;

namespace Huren.Sdk.Notes;

/// <summary>
/// Verifies one origin's checkpoints: a well-formed checkpoint body of that origin, the log's Ed25519 signature
/// (required), when an SM2 key is given its SM2 signature (then required too), and the lines of the given witness keys
/// when present. Any failing line of a known key rejects the note (checkpoints.md); lines from unknown keys are
/// ignored, except that a verifier told its keys are complete (as the network configuration's are,
/// <see cref="Network.TrustedMember.CheckpointVerifier"/>) also rejects a line under one of its key names with another
/// key ID. Thread-safe.
/// </summary>
public sealed class CheckpointVerifier
{
    private readonly NoteVerifierKey[] _witnessKeys;
    private readonly bool _keysComplete;

    /// <summary>A verifier for the origin named by <paramref name="logKey"/>.</summary>
    /// <param name="logKey">The log's Ed25519 (type 0x01) key; its name is the origin.</param>
    /// <param name="sm2Key">
    /// The log's SM2 (type 0xff) key, same name, or null. When given, its line is required; to verify an SM2 line only
    /// when present, pass the key as an additional known key instead.
    /// </param>
    /// <param name="witnessKeys">Witness (type 0x04) keys whose cosignature lines must verify when present.</param>
    /// <param name="keysComplete">
    /// Whether these keys are every key of their names (true for a network configuration that gives an SM2 key: it
    /// lists every key named by the origin and by each member's witness). Then a line under one of these names with a
    /// key ID none of them has rejects the note; otherwise such a line is ignored, as plain C2SP does.
    /// </param>
    /// <exception cref="ArgumentException">A key of the wrong type, or an SM2 key named differently.</exception>
    public CheckpointVerifier(NoteVerifierKey logKey, NoteVerifierKey? sm2Key = null, IEnumerable<NoteVerifierKey>? witnessKeys = null, bool keysComplete = false)
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
        _keysComplete = keysComplete;
    }

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

    /// <summary>Verifies a parsed note, also checking lines of <paramref name="otherKnownKeys"/> when present.</summary>
    /// <exception cref="ArgumentException">An other known key conflicts with the verifier's keys (same name and key ID, other key).</exception>
    public CheckpointVerification Verify(SignedNote note, IEnumerable<NoteVerifierKey> otherKnownKeys)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(otherKnownKeys);
        if (!Checkpoint.TryParse(note.Text, Origin, out var checkpoint, out var error))
            return CheckpointVerification.Fail("malformed checkpoint: " + error, note);
        if (_keysComplete && UnknownKeyOfKnownName(note) is { } stray)
            return CheckpointVerification.Fail($"signature line of {stray.Name} has key ID {NoteSyntax.KeyIdHex(stray.KeyId)}, which is not a key the network configuration gives for that name", note);
        NoteVerifierKey[] required = Sm2Key is null ? [LogKey] : [LogKey, Sm2Key];
        var signatures = note.Verify(_witnessKeys.Length == 0 ? otherKnownKeys : _witnessKeys.Concat(otherKnownKeys), required);
        if (!signatures.IsValid) return CheckpointVerification.Fail(signatures.Failure, note, signatures);
        return new CheckpointVerification(null, note, checkpoint, signatures);
    }

    private NoteSignature? UnknownKeyOfKnownName(SignedNote note)
    {
        foreach (var line in note.Signatures)
        {
            var nameKnown = false;
            var keyKnown = false;
            foreach (var key in Keys())
            {
                if (!string.Equals(key.Name, line.Name, StringComparison.Ordinal)) continue;
                nameKnown = true;
                keyKnown |= key.KeyId == line.KeyId;
            }
            if (nameKnown && !keyKnown) return line;
        }
        return null;
    }

    private IEnumerable<NoteVerifierKey> Keys()
    {
        yield return LogKey;
        if (Sm2Key is not null) yield return Sm2Key;
        foreach (var key in _witnessKeys) yield return key;
    }
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
