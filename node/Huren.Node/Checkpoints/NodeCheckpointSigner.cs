using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Checkpoints;

/// <summary>
/// Signs the node's checkpoints as C2SP signed notes with its Ed25519 log key and its SM2 key. In a network it signs
/// with the keys the configuration in force lists for this member: when an adopted version rotates them (the old keys
/// retired, <c>retiredKeys</c>), it switches to the matching staged private keys (<c>Huren:Keys:StagedKeys</c>, read
/// again at each change) from the next checkpoint on, without a restart.
/// </summary>
public sealed partial class NodeCheckpointSigner
{
    private readonly string _origin;
    private readonly Func<TrustedMember?> _inForce;
    private readonly Func<IReadOnlyList<SigningKey>> _staged;
    private readonly ILogger? _logger;
    private readonly Lock _lock = new();
    private volatile Keys _keys;

    /// <summary>A signer with fixed keys (a stand-alone node).</summary>
    public NodeCheckpointSigner(string origin, SigningKey logKey, SigningKey sm2Key)
        : this(origin, logKey, sm2Key, () => null, () => [], null)
    {
    }

    /// <summary>A signer that follows the keys <paramref name="inForce"/> lists for this member.</summary>
    /// <param name="origin">The node's origin.</param>
    /// <param name="logKey">The Ed25519 log key the node started with.</param>
    /// <param name="sm2Key">The SM2 log key the node started with.</param>
    /// <param name="inForce">This member as the configuration in force states it, or null (stand-alone).</param>
    /// <param name="staged">Private keys staged for a rotation, read when the configuration in force changes.</param>
    /// <param name="logger">Where a switch, or a rotation no staged key matches, is logged.</param>
    public NodeCheckpointSigner(string origin, SigningKey logKey, SigningKey sm2Key, Func<TrustedMember?> inForce, Func<IReadOnlyList<SigningKey>> staged, ILogger? logger)
    {
        _origin = origin;
        _inForce = inForce;
        _staged = staged;
        _logger = logger;
        _keys = new Keys(new CheckpointSigner(origin, logKey, sm2Key), logKey, sm2Key, null);
    }

    /// <summary>The C2SP verifier key of the log key in use.</summary>
    public NoteVerifierKey LogVerifierKey => Current().Signer.LogVerifierKey;

    /// <summary>The verifier key of the SM2 line in use.</summary>
    public NoteVerifierKey? Sm2VerifierKey => Current().Signer.Sm2VerifierKey;

    /// <summary>The complete signed note for a tree of <paramref name="size"/> with <paramref name="root"/>, as UTF-8.</summary>
    public byte[] Sign(ulong size, byte[] root) => Current().Signer.Sign(size, root).ToUtf8();

    /// <summary>The complete signed note for a tree of <paramref name="size"/> with <paramref name="root"/> and extension lines (the status map's), as UTF-8.</summary>
    public byte[] Sign(ulong size, byte[] root, IReadOnlyList<string> extensions) => Current().Signer.Sign(size, root, extensions).ToUtf8();

    private Keys Current()
    {
        var keys = _keys;
        var member = _inForce();
        // The member object changes only when another version is put in force: one reference compare per checkpoint.
        if (member is null || ReferenceEquals(member, keys.CheckedFor)) return keys;
        lock (_lock)
        {
            keys = _keys;
            if (ReferenceEquals(member, keys.CheckedFor)) return keys;
            var log = keys.Log;
            var sm2 = keys.Sm2;
            var listedSm2 = member.Sm2NoteKey;
            var logMatches = NoteVerifierKey.ForEd25519(_origin, log.PublicKey).Equals(member.LogKey);
            var sm2Matches = listedSm2 is null || NoteVerifierKey.ForSm2(_origin, sm2.PublicKey).Equals(listedSm2);
            if (!logMatches || !sm2Matches)
            {
                foreach (var candidate in _staged())
                {
                    if (!logMatches && candidate.Algorithm == Huren.Schemas.Envelope.SignatureAlgorithm.Ed25519
                        && NoteVerifierKey.ForEd25519(_origin, candidate.PublicKey).Equals(member.LogKey))
                    {
                        log = candidate;
                        logMatches = true;
                    }
                    else if (!sm2Matches && candidate.Algorithm == Huren.Schemas.Envelope.SignatureAlgorithm.Sm2Sm3
                        && NoteVerifierKey.ForSm2(_origin, candidate.PublicKey).Equals(listedSm2))
                    {
                        sm2 = candidate;
                        sm2Matches = true;
                    }
                }
                if (!logMatches || !sm2Matches)
                {
                    if (_logger is not null) LogNoStagedKey(_logger, _origin, logMatches ? "" : "log", sm2Matches ? "" : "sm2");
                }
            }
            var changed = !ReferenceEquals(log, keys.Log) || !ReferenceEquals(sm2, keys.Sm2);
            var next = new Keys(changed ? new CheckpointSigner(_origin, log, sm2) : keys.Signer, log, sm2, member);
            if (changed && _logger is not null) LogSwitched(_logger, _origin, next.Signer.LogVerifierKey.KeyIdHex, next.Signer.Sm2VerifierKey?.KeyIdHex ?? "");
            _keys = next;
            return next;
        }
    }

    private sealed record Keys(CheckpointSigner Signer, SigningKey Log, SigningKey Sm2, TrustedMember? CheckedFor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoints of {Origin} are now signed with the log key {LogKeyId} and the SM2 key {Sm2KeyId} the configuration in force lists")]
    private static partial void LogSwitched(ILogger logger, string origin, string logKeyId, string sm2KeyId);

    [LoggerMessage(Level = LogLevel.Error, Message = "ALARM: the configuration in force lists other checkpoint keys for {Origin} ({Log} {Sm2}) and no staged private key matches; signing with the previous keys")]
    private static partial void LogNoStagedKey(ILogger logger, string origin, string log, string sm2);
}
