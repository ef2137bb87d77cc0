using Huren.Sdk.Crypto;
using Huren.Sdk.Network;

namespace Huren.Node.Ledger;

/// <summary>
/// The city root keys one log's rules know, as the network configuration in force states them: a current key signs
/// root entries whatever their date; a retired key only those dated at or before its end, and a revoked one none
/// (<see cref="RetiredRootKey.SignsAt"/>, the rule evidence verification applies too). So a log whose root was rotated
/// replays from index 0 under the version in force. Immutable: a log's rules are given a new set when a version
/// changes the keys (<see cref="LogStateMachine.RootKeys"/>).
/// </summary>
public sealed class CityRootKeys
{
    private readonly Dictionary<KeyId, PublicKey> _current = [];
    private readonly Dictionary<KeyId, RetiredRootKey> _retired = [];

    /// <summary>A set of root keys.</summary>
    /// <param name="current">Keys that sign root entries whatever their date.</param>
    /// <param name="retired">Retired keys with their ends (revoked ones too: they sign nothing, and no issuer may take them).</param>
    /// <exception cref="ArgumentException">No key at all.</exception>
    public CityRootKeys(IEnumerable<PublicKey> current, IEnumerable<RetiredRootKey>? retired = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        foreach (var key in current) _current.TryAdd(key.Id, key);
        foreach (var r in retired ?? [])
        {
            // Listed as current too: current wins, as in TrustedMember.RootKeysAt.
            if (!_current.ContainsKey(r.Key.Id)) _retired.TryAdd(r.Key.Id, r);
        }
        if (_current.Count == 0 && _retired.Count == 0) throw new ArgumentException("at least one city root key is required", nameof(current));
    }

    /// <summary>A member's root keys in a configuration version: its <c>rootKey</c> and its retired root keys.</summary>
    public static CityRootKeys Of(TrustedMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return new CityRootKeys([member.RootKey], member.RetiredRootKeys);
    }

    /// <summary>
    /// The node's own log: with a network configuration in force, exactly its city's keys there (<see cref="Of"/>), as every
    /// mirror judges the log, whatever <c>Huren:Keys:RootPublicKey</c> names: a configured key the version retired, or
    /// one it does not know (a wrong file, a key put in before the version rotating to it), would otherwise let the node
    /// write root entries its mirrors refuse, and a mirror that meets one stops. Stand-alone (<paramref name="self"/>
    /// null), the configured key.
    /// </summary>
    public static CityRootKeys ForOwnLog(PublicKey configured, TrustedMember? self)
    {
        ArgumentNullException.ThrowIfNull(configured);
        return self is null ? new CityRootKeys([configured]) : Of(self);
    }

    /// <summary>Whether <paramref name="key"/> signs root entries whatever their date (not retired, not revoked).</summary>
    public bool IsCurrent(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return IsCurrent(key.Id);
    }

    /// <summary>Whether the key <paramref name="id"/> signs root entries whatever their date.</summary>
    internal bool IsCurrent(KeyId id) => _current.ContainsKey(id);

    /// <summary>The key with <paramref name="id"/> among the current and retired keys (revoked too: the rules say why it does not count), or null.</summary>
    internal PublicKey? Find(KeyId id)
        => _current.TryGetValue(id, out var current) ? current
        : _retired.TryGetValue(id, out var retired) ? retired.Key
        : null;

    /// <summary>
    /// Whether the key <paramref name="id"/> may sign a root entry dated <paramref name="entryTimeUnixMs"/>. When not,
    /// <paramref name="retiredReason"/> says why for a retired or revoked key, and is null for a key that is no root key.
    /// </summary>
    internal bool MaySign(KeyId id, long entryTimeUnixMs, out string? retiredReason)
    {
        retiredReason = null;
        if (_current.ContainsKey(id)) return true;
        if (!_retired.TryGetValue(id, out var retired)) return false;
        var time = DateTimeOffset.FromUnixTimeMilliseconds(entryTimeUnixMs);
        if (retired.SignsAt(time)) return true;
        retiredReason = retired.Revoked ? $"is the revoked city root key {id}: nothing it signed counts"
            : retired.NotAfter is { } end ? $"is the city root key {id}, retired at {end:O}, and the entry is dated {time:O}, after its end"
            : $"is the city root key {id}, retired with no end in time: it signs no entry that counts";
        return false;
    }

    /// <summary>Whether <paramref name="id"/> is a key the city root holds or held, revoked ones included (no issuer may register it).</summary>
    internal bool Holds(KeyId id) => _current.ContainsKey(id) || _retired.ContainsKey(id);
}
