using Huren.Sdk.Crypto;

namespace Huren.Sdk.Notes;

/// <summary>
/// Signs a log's checkpoints as Huren publishes them: the Ed25519 line (type 0x01, the interoperable signature) and then
/// the SM2 line (type 0xff, <c>huren-sm2-sm3/v1</c>), both under the key name = origin. Thread-safe.
/// </summary>
public sealed class CheckpointSigner
{
    private readonly NoteSignerKey _logKey;
    private readonly NoteSignerKey? _sm2Key;

    /// <summary>A signer for <paramref name="origin"/>.</summary>
    /// <param name="origin">The log's origin, also its key name.</param>
    /// <param name="logKey">The Ed25519 log key.</param>
    /// <param name="sm2Key">The SM2 log key. Huren logs always have one; null signs Ed25519 only (plain C2SP logs, tests).</param>
    /// <exception cref="ArgumentException">The origin is not a valid key name, or a key of the wrong algorithm.</exception>
    public CheckpointSigner(string origin, SigningKey logKey, SigningKey? sm2Key)
    {
        _logKey = NoteSignerKey.ForEd25519(origin, logKey);
        _sm2Key = sm2Key is null ? null : NoteSignerKey.ForSm2(origin, sm2Key);
    }

    /// <summary>The origin.</summary>
    public string Origin => _logKey.Name;

    /// <summary>The Ed25519 verifier key to publish (network configuration <c>logKey</c>).</summary>
    public NoteVerifierKey LogVerifierKey => _logKey.VerifierKey;

    /// <summary>The SM2 verifier key, or null.</summary>
    public NoteVerifierKey? Sm2VerifierKey => _sm2Key?.VerifierKey;

    /// <summary>Signs <paramref name="checkpoint"/>.</summary>
    /// <exception cref="ArgumentException">The checkpoint is of another origin.</exception>
    public SignedNote Sign(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (!string.Equals(checkpoint.Origin, Origin, StringComparison.Ordinal))
            throw new ArgumentException($"checkpoint origin '{checkpoint.Origin}' is not this signer's '{Origin}'", nameof(checkpoint));
        var text = checkpoint.ToString();
        return _sm2Key is null ? SignedNote.Sign(text, _logKey) : SignedNote.Sign(text, _logKey, _sm2Key);
    }

    /// <summary>Signs the checkpoint of this origin at <paramref name="size"/> with <paramref name="rootHash"/> (32 bytes).</summary>
    /// <exception cref="ArgumentException">The root is not 32 bytes or an extension line is invalid.</exception>
    public SignedNote Sign(ulong size, ReadOnlySpan<byte> rootHash, IEnumerable<string>? extensions = null)
        => Sign(new Checkpoint(Origin, size, rootHash, extensions));
}
