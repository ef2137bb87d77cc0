using System.Diagnostics.CodeAnalysis;

namespace Huren.Sdk.Notes;

/// <summary>
/// Verifies one origin's checkpoints: a well-formed checkpoint body of that origin, the log's Ed25519 signature
/// (required), and, when an SM2 key is configured, its SM2 signature (then required too). Lines from other known keys
/// passed to <see cref="Verify(SignedNote, IEnumerable{NoteVerifierKey})"/> are verified when present; lines from
/// unknown keys are ignored; any failing known signature rejects the note. Thread-safe.
/// </summary>
public sealed class CheckpointVerifier
{
    /// <summary>A verifier for the origin named by <paramref name="logKey"/>.</summary>
    /// <param name="logKey">The log's Ed25519 (type 0x01) key; its name is the origin.</param>
    /// <param name="sm2Key">
    /// The log's SM2 (type 0xff) key, same name, or null. When given, its line is required; to verify an SM2 line only
    /// when present, pass the key as an additional known key instead.
    /// </param>
    /// <exception cref="ArgumentException">A key of the wrong type, or an SM2 key named differently.</exception>
    public CheckpointVerifier(NoteVerifierKey logKey, NoteVerifierKey? sm2Key = null)
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
        LogKey = logKey;
        Sm2Key = sm2Key;
    }

    /// <summary>The origin (the log key's name).</summary>
    public string Origin => LogKey.Name;

    /// <summary>The Ed25519 log key.</summary>
    public NoteVerifierKey LogKey { get; }

    /// <summary>The required SM2 key, or null.</summary>
    public NoteVerifierKey? Sm2Key { get; }

    /// <summary>Parses and verifies a note given as UTF-8 bytes.</summary>
    public CheckpointVerification Verify(ReadOnlySpan<byte> noteUtf8)
        => SignedNote.TryParse(noteUtf8, out var note, out var error) ? Verify(note) : CheckpointVerification.Fail("malformed note: " + error, null);

    /// <summary>Parses and verifies a note.</summary>
    public CheckpointVerification Verify(string note)
        => SignedNote.TryParse(note, out var parsed, out var error) ? Verify(parsed) : CheckpointVerification.Fail("malformed note: " + error, null);

    /// <summary>Verifies a parsed note.</summary>
    public CheckpointVerification Verify(SignedNote note) => Verify(note, []);

    /// <summary>Verifies a parsed note, also checking lines of <paramref name="otherKnownKeys"/> (e.g. witness keys) when present.</summary>
    /// <exception cref="ArgumentException">An other known key conflicts with the log keys (same name and key ID, other key).</exception>
    public CheckpointVerification Verify(SignedNote note, IEnumerable<NoteVerifierKey> otherKnownKeys)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(otherKnownKeys);
        if (!Checkpoint.TryParse(note.Text, Origin, out var checkpoint, out var error))
            return CheckpointVerification.Fail("malformed checkpoint: " + error, note);
        NoteVerifierKey[] required = Sm2Key is null ? [LogKey] : [LogKey, Sm2Key];
        var signatures = note.Verify(otherKnownKeys, required);
        if (!signatures.IsValid) return CheckpointVerification.Fail(signatures.Failure, note, signatures);
        return new CheckpointVerification(null, note, checkpoint, signatures);
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
