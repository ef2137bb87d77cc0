
namespace Huren.Node.Ledger;

/// <summary>The ledger state of every log the node keeps, by origin: its own first, then each mirror's.</summary>
public sealed class LedgerStates(LogStateMachine own)
{
    private readonly Dictionary<string, LogStateMachine> _states = new(StringComparer.Ordinal) { [own.Origin] = own };

    /// <summary>The node's own log's state.</summary>
    public LogStateMachine Own => own;

    /// <summary>Adds a mirror's state.</summary>
    public void Add(LogStateMachine state)
    {
        lock (_states) _states[state.Origin] = state;
    }

    /// <summary>The state of <paramref name="origin"/>, if kept.</summary>
    public LogStateMachine? Get(string origin)
    {
        lock (_states) return _states.GetValueOrDefault(origin);
    }

    /// <summary>Every state, the node's own first.</summary>
    public List<LogStateMachine> All()
    {
        lock (_states)
        {
            var list = new List<LogStateMachine> { own };
            foreach (var (origin, state) in _states)
            {
                if (origin != own.Origin) list.Add(state);
            }
            return list;
        }
    }

    /// <summary>Finds a license in any kept log: the owning log's state and the record.</summary>
    public (LogStateMachine State, LicenseRecord License)? FindLicense(string licenseId)
        => Find(state => state.TryGetLicense(licenseId, out var license) ? license : null);

    /// <summary>Finds a license by document digest in any kept log.</summary>
    public (LogStateMachine State, LicenseRecord License)? FindLicenseByDigest(byte[] digest)
        => Find(state => state.TryFindLicenseByDigest(digest, out var license) ? license : null);

    /// <summary>Finds a seal in any kept log (a seal id is registered once, in its owner's city).</summary>
    public (LogStateMachine State, SealRecord Seal)? FindSeal(string sealId)
    {
        foreach (var state in All())
        {
            if (state.TryGetSeal(sealId, out var seal)) return (state, seal);
        }
        return null;
    }

    /// <summary>
    /// The log holding the license in force; a license transferred out and accepted under the same id lives on in the
    /// receiving log, so the transferred-out record is only the fallback. Two logs holding one license id or document
    /// digest in force (another city's issuer given this city's code, a document registered twice) is no answer: each
    /// node would otherwise answer with the log it reads first.
    /// </summary>
    /// <exception cref="AmbiguousLicenseException">Two logs hold a license in force under the key.</exception>
    private (LogStateMachine State, LicenseRecord License)? Find(Func<LogStateMachine, LicenseRecord?> lookup)
    {
        (LogStateMachine State, LicenseRecord License)? inForce = null, transferred = null;
        foreach (var state in All())
        {
            if (lookup(state) is not { } license) continue;
            if (license.Status == LicenseStatus.Transferred)
            {
                transferred ??= (state, license);
                continue;
            }
            if (inForce is { } first)
            {
                throw new AmbiguousLicenseException(
                    $"license {first.License.LicenseId} of {first.State.Origin} and license {license.LicenseId} of {state.Origin} are both in force under this key; the logs disagree, ask by license id in the issuing city's log and report it");
            }
            inForce = (state, license);
        }
        return inForce ?? transferred;
    }
}

/// <summary>Two logs this node keeps hold a license in force under one license id or document digest.</summary>
public sealed class AmbiguousLicenseException(string message) : Exception(message);
