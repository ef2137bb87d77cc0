using Huren.Node.Storage;
using Huren.Sdk.Network;

namespace Huren.Node.Hosting;

/// <summary>
/// The network configuration in force on this node (null for a stand-alone node), with its exact file bytes.
/// Replaced only by a successor that chains to it and is signed by a majority of its members; every adopted version
/// is stored, so a restart comes back to the newest one after re-checking the chain from the genesis.
/// </summary>
public sealed class NetworkView
{
    private const string VersionKeyPrefix = "config/v";
    private readonly KeySpace? _store;
    private readonly Lock _lock = new();
    private volatile State? _state;

    private sealed record State(NetworkConfig Config, byte[] Bytes);

    /// <summary>A stand-alone node's view: no network.</summary>
    public NetworkView()
    {
    }

    /// <summary>A view of a configuration held in memory only (tests; <see cref="TryAdopt"/> is refused without a store).</summary>
    internal NetworkView(NetworkConfig? config)
    {
        if (config is not null) _state = new State(config, System.Text.Encoding.UTF8.GetBytes(config.ToJson()));
    }

    /// <summary>Puts <paramref name="next"/> in force without the chain check: for tests of what reacts to a change.</summary>
    internal void Adopt(NetworkConfig next) => _state = new State(next, System.Text.Encoding.UTF8.GetBytes(next.ToJson()));

    /// <summary>Starts from the genesis (or configured version) bytes and moves to the newest stored successor.</summary>
    public NetworkView(byte[] initialBytes, KeySpace store)
    {
        _store = store;
        var state = new State(NetworkConfig.Parse(System.Text.Encoding.UTF8.GetString(initialBytes)), initialBytes);
        for (var version = state.Config.Version + 1; store.Get(VersionKeyPrefix + version) is { } next; version++)
        {
            if (!NetworkConfigChain.VerifyNext(state.Bytes, next, out var config, out var error))
                throw new InvalidOperationException($"stored network configuration version {version} does not chain: {error}");
            state = new State(config!, next);
        }
        _state = state;
    }

    /// <summary>The configuration in force.</summary>
    public NetworkConfig? Current => _state?.Config;

    /// <summary>Its exact bytes.</summary>
    public byte[]? CurrentBytes => _state?.Bytes;

    /// <summary>
    /// Checks <paramref name="proposed"/> against the version in force and adopts it. Returns null when adopted (or
    /// already in force), otherwise why not; <paramref name="underSigned"/> tells a signature shortfall apart.
    /// </summary>
    public string? TryAdopt(byte[] proposed, out bool underSigned)
    {
        underSigned = false;
        lock (_lock)
        {
            if (_state is not { } state || _store is null) return "this node is not part of a network";
            if (proposed.AsSpan().SequenceEqual(state.Bytes)) return null;
            if (!NetworkConfigChain.VerifyNext(state.Bytes, proposed, out var next, out var error))
            {
                underSigned = error!.Contains("majority", StringComparison.Ordinal);
                return error;
            }
            _store.PutNow(System.Text.Encoding.UTF8.GetBytes(VersionKeyPrefix + next!.Version), proposed);
            _state = new State(next, proposed);
            return null;
        }
    }
}
