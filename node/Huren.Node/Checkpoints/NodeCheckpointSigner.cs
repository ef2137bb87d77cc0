using Huren.Sdk.Crypto;
using Huren.Sdk.Notes;

namespace Huren.Node.Checkpoints;

/// <summary>Signs the node's checkpoints as C2SP signed notes with its Ed25519 log key and its SM2 key.</summary>
public sealed class NodeCheckpointSigner(string origin, SigningKey logKey, SigningKey sm2Key)
{
    private readonly CheckpointSigner _signer = new(origin, logKey, sm2Key);

    /// <summary>The C2SP verifier key of the log key, as the network configuration lists it.</summary>
    public NoteVerifierKey LogVerifierKey => _signer.LogVerifierKey;

    /// <summary>The verifier key of the SM2 line.</summary>
    public NoteVerifierKey? Sm2VerifierKey => _signer.Sm2VerifierKey;

    /// <summary>The complete signed note for a tree of <paramref name="size"/> with <paramref name="root"/>, as UTF-8.</summary>
    public byte[] Sign(ulong size, byte[] root) => _signer.Sign(size, root).ToUtf8();

    /// <summary>The complete signed note for a tree of <paramref name="size"/> with <paramref name="root"/> and extension lines (the status map's), as UTF-8.</summary>
    public byte[] Sign(ulong size, byte[] root, IReadOnlyList<string> extensions) => _signer.Sign(size, root, extensions).ToUtf8();
}
