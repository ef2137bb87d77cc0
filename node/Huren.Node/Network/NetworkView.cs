using Huren.Node.Storage;
using Huren.Sdk.Network;

namespace Huren.Node.Network;

/// <summary>
/// The network configuration in force on this node (null for a stand-alone node), parsed once into a
/// <see cref="TrustedNetwork"/> with its exact file bytes. Replaced only by a successor that chains to it and is signed
/// by a majority of its members; every adopted version is stored in the <c>network</c> key space, so a restart comes
/// back to the newest one after re-checking the chain from the genesis.
/// </summary>
public sealed class NetworkView
{
    /// <summary>The name of the key space of adopted versions.</summary>
    public const string KeySpaceName = "network";

    private const string VersionKeyPrefix = "config/v";
    private readonly KeySpace? _store;
    private readonly Lock _lock = new();
    // Serialises announcements (RaiseChanged), apart from adoptions: a subscriber may read the view while announced to.
    private readonly Lock _announcing = new();
    private volatile TrustedNetwork? _current;
    private readonly TrustedNetwork? _initial;

    /// <summary>A stand-alone node's view: no network.</summary>
    public NetworkView()
    {
    }

    /// <summary>A view of a configuration held in memory only (tests; <see cref="TryAdopt"/> is refused without a store).</summary>
    internal NetworkView(NetworkConfig? config)
    {
        if (config is not null) _current = TrustedNetwork.From(config);
    }

    /// <summary>Puts <paramref name="next"/> in force without the chain check: for tests of what reacts to a change.</summary>
    internal void Adopt(NetworkConfig next)
    {
        var adopted = TrustedNetwork.From(next);
        _current = adopted;
        RaiseChanged();
    }

    /// <summary>
    /// Raised after a new version is in force (on the adopting thread, after <see cref="Current"/> shows it), so what
    /// holds per-member state — mirrors, peer connections — follows members added, removed or changed without a restart.
    /// Readers that only look at <see cref="Current"/> when they act need not subscribe.
    /// </summary>
    public event Action<TrustedNetwork>? Changed;

    /// <summary>Starts from the genesis (or configured version) and moves to the newest stored successor.</summary>
    /// <exception cref="InvalidOperationException">A stored version does not chain.</exception>
    public NetworkView(TrustedNetwork initial, KeySpace store)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _store = store;
        _initial = initial;
        var current = initial;
        for (var version = current.Version + 1; store.Get(VersionKeyPrefix + version) is { } next; version++)
        {
            if (!NetworkConfigChain.VerifyNext(current.Bytes, next, out var adopted, out var error))
                throw new InvalidOperationException($"stored network configuration version {version} does not chain: {error}");
            current = adopted!;
        }
        _current = current;
    }

    /// <summary>The configuration in force.</summary>
    public TrustedNetwork? Current => _current;

    /// <summary>Its exact bytes.</summary>
    public byte[]? CurrentBytes => _current?.Bytes;

    /// <summary>
    /// The exact bytes of <paramref name="version"/> of the chain, from the file the node started with up to the version
    /// in force; null when this node does not hold it.
    /// </summary>
    public byte[]? BytesOf(int version)
    {
        if (_current is not { } current || version > current.Version) return null;
        if (version == current.Version) return current.Bytes;
        if (_initial is { } initial && version == initial.Version) return initial.Bytes;
        if (_initial is { } first && version < first.Version) return null;
        return _store?.Get(VersionKeyPrefix + version);
    }

    /// <summary>
    /// Checks <paramref name="proposed"/> against the version in force and adopts it. Returns null when adopted (or
    /// already in force), otherwise why not; <paramref name="underSigned"/> tells a signature shortfall apart.
    /// </summary>
    public string? TryAdopt(byte[] proposed, out bool underSigned)
    {
        underSigned = false;
        lock (_lock)
        {
            if (_current is not { } current || _store is null) return "this node is not part of a network";
            if (proposed.AsSpan().SequenceEqual(current.Bytes)) return null;
            if (!NetworkConfigChain.VerifyNext(current.Bytes, proposed, out var next, out var error))
            {
                underSigned = error!.Contains("majority", StringComparison.Ordinal);
                return error;
            }
            _store.PutNow(System.Text.Encoding.UTF8.GetBytes(VersionKeyPrefix + next!.Version), proposed);
            _current = next;
        }
        // Outside the lock: a subscriber may read the view, and must not hold up the next adoption.
        RaiseChanged();
        return null;
    }

    /// <summary>
    /// Tells the subscribers of the version in force, one announcement at a time, each subscriber given the version in
    /// force as it is called: two adoptions close together (or one made by a subscriber) cannot announce out of order
    /// (the older last), so a subscriber can take the version it is given (a version may be announced twice).
    /// </summary>
    private void RaiseChanged()
    {
        lock (_announcing)
        {
            foreach (var handler in Changed?.GetInvocationList() ?? [])
            {
                // One subscriber's fault must not keep the others on the old version; each handles its own errors.
                try
                {
                    ((Action<TrustedNetwork>)handler)(_current!);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    System.Diagnostics.Trace.TraceError($"a subscriber to network configuration changes failed: {ex}");
                }
            }
        }
    }
}
