using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// The reference a change, status change or transfer of license <paramref name="licenseId"/> must carry: its latest
    /// entry in log <paramref name="origin"/> (the one the entry is written for; null: the log that holds the license in
    /// force), relation <c>previous</c> (<see cref="Relations.Previous"/>). The node refuses such an entry without it, or
    /// with one that is no longer the latest (FAILED_PRECONDITION: read it again). Roles: issuer, operator or auditor.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">The node refused the call (NOT_FOUND: the log does not hold the license) or is unreachable.</exception>
    public async Task<EntryReference> LatestLicenseEntryAsync(string licenseId, string? origin = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(licenseId);
        var history = await Licenses.HistoryAsync(new LicenseHistoryRequest { LicenseId = licenseId, Origin = origin ?? "" }, Options(cancellationToken)).ConfigureAwait(false);
        if (history.Entries.Count == 0) throw new InvalidOperationException($"the node answered license {licenseId}'s history with no entry");
        return PreviousReference(history.Entries[^1]);
    }

    /// <summary>
    /// Submits a <c>license.change</c>, <c>license.status</c> or <c>license.transfer</c> (<see cref="SubmitAsync"/>),
    /// naming the license's latest entry in the entry's log as <c>previous</c> first (<see cref="LatestLicenseEntryAsync"/>) unless
    /// <paramref name="entry"/> already names one. Another writer's entry in between makes the node answer
    /// FAILED_PRECONDITION: read the license again before acting on it.
    /// </summary>
    /// <exception cref="ArgumentException">The entry is of another kind, or not valid; nothing was sent.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused the entry or is unreachable.</exception>
    public async Task<SubmitResponse> SubmitLicenseUpdateAsync(Entry entry, SigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!EntryKinds.NamesPrevious(entry.Kind))
            throw new ArgumentException($"a {entry.Kind} entry is not a change, status change or transfer of a license", nameof(entry));
        if (!entry.References.Exists(r => r.Relation == Relations.Previous))
            entry.References.Add(await LatestLicenseEntryAsync(entry.RecordId, entry.Origin, cancellationToken).ConfigureAwait(false));
        return await SubmitAsync(entry, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A <c>previous</c> reference to <paramref name="entry"/>: its origin, index and leaf hash.</summary>
    public static EntryReference PreviousReference(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new EntryReference { Origin = entry.Origin, Index = entry.Index, LeafHash = MerkleHash.LeafHash(entry.Leaf).ToArray(), Relation = Relations.Previous };
    }
}
