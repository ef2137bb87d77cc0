using System.Diagnostics.CodeAnalysis;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;

namespace Huren.Node.Ledger;

/// <summary>The read side, for the node's services: committed state only, thread-safe; every record returned is a copy.</summary>
public sealed partial class LogStateMachine
{
    /// <summary>The issuer registered as <paramref name="issuerId"/>, revoked or not.</summary>
    public bool TryGetIssuer(string issuerId, [NotNullWhen(true)] out IssuerRecord? issuer)
    {
        issuer = _committed.Issuers.GetValueOrDefault(issuerId)?.Clone();
        return issuer is not null;
    }

    /// <summary>Whether <paramref name="issuerId"/> is registered here and revoked (asked on every client call: no copy is made).</summary>
    public bool IsIssuerRevoked(string issuerId) => _committed.Issuers.GetValueOrDefault(issuerId)?.Revoked == true;

    /// <summary>The issuer a key was registered to, revoked or not.</summary>
    public bool TryGetIssuerByKey(KeyId keyId, [NotNullWhen(true)] out IssuerRecord? issuer)
    {
        var committed = _committed;
        issuer = committed.Keys.TryGetValue(keyId, out var key) ? committed.Issuers.GetValueOrDefault(key.IssuerId)?.Clone() : null;
        return issuer is not null;
    }

    /// <summary>
    /// <paramref name="spki"/> as a key to verify with: the key parsed when its registration was committed in this log
    /// (the key ID is SHA-256 of these very bytes), so a service checking a signature per call does not parse and import
    /// a key per call; parsed now when it is no key registered here.
    /// </summary>
    /// <exception cref="FormatException">Not a key registered here, and not a valid public key.</exception>
    public PublicKey RegisteredKey(byte[] spki)
        => _committed.Keys.TryGetValue(KeyId.FromSubjectPublicKeyInfo(spki), out var registered) ? registered.Key : PublicKey.FromSubjectPublicKeyInfo(spki);

    /// <summary>Every issuer of the log, in registration order.</summary>
    public IReadOnlyList<IssuerRecord> ListIssuers()
    {
        var list = new List<IssuerRecord>(_committed.Issuers.Count);
        foreach (var issuer in _committed.Issuers.Values) list.Add(issuer.Clone());
        list.Sort((a, b) => a.RegisteredIndex.CompareTo(b.RegisteredIndex));
        return list;
    }

    /// <summary>The license <paramref name="licenseId"/> of this log (issued here or accepted by transfer).</summary>
    public bool TryGetLicense(string licenseId, [NotNullWhen(true)] out LicenseRecord? license)
    {
        license = ReadStored<LicenseRecord>(StateKeys.License(licenseId));
        return license is not null;
    }

    /// <summary>The license whose document (current or earlier) has <paramref name="documentDigest"/>.</summary>
    public bool TryFindLicenseByDigest(byte[] documentDigest, [NotNullWhen(true)] out LicenseRecord? license)
    {
        ArgumentNullException.ThrowIfNull(documentDigest);
        license = null;
        if (documentDigest.Length == 0) return false;
        var digest = ReadStored<DigestRecord>(StateKeys.Digest(documentDigest));
        return digest is not null && TryGetLicense(digest.LicenseId, out license);
    }

    /// <summary>The license this log accepted from <paramref name="fromOrigin"/>, where it was <paramref name="originalLicenseId"/>.</summary>
    public bool TryFindAcceptedLicense(string fromOrigin, string originalLicenseId, [NotNullWhen(true)] out LicenseRecord? license)
    {
        license = null;
        var accepted = ReadStored<AcceptedRecord>(StateKeys.Accepted(fromOrigin, originalLicenseId));
        return accepted is not null && TryGetLicense(accepted.LicenseId, out license);
    }

    /// <summary>
    /// The licenses of the log (issued here or accepted by transfer) by license id, from the first id after
    /// <paramref name="afterId"/> (empty: from the first); read lazily, for a page at a time.
    /// </summary>
    public IEnumerable<(string LicenseId, LicenseRecord License)> LicensesAfter(string afterId = "") => RowsAfter<LicenseRecord>(StateKeys.LicensePrefix, afterId);

    /// <summary>The share <paramref name="shareId"/> recorded in this log by its provider.</summary>
    public bool TryGetShare(string shareId, [NotNullWhen(true)] out ShareRecord? share)
    {
        share = ReadStored<ShareRecord>(StateKeys.Share(shareId));
        return share is not null;
    }

    /// <summary>The catalogue resource <paramref name="resourceCode"/> as last published in this log.</summary>
    public bool TryGetCatalog(string resourceCode, [NotNullWhen(true)] out CatalogRecord? resource)
    {
        resource = ReadStored<CatalogRecord>(StateKeys.Catalog(resourceCode));
        return resource is not null;
    }

    /// <summary>The catalogue resources published in this log by code, from the first code after <paramref name="afterCode"/> (empty: from the first).</summary>
    public IEnumerable<(string ResourceCode, CatalogRecord Resource)> CatalogAfter(string afterCode = "") => RowsAfter<CatalogRecord>(StateKeys.CatalogPrefix, afterCode);

    /// <summary>The provider's decision recorded in this log on share request <paramref name="shareId"/>.</summary>
    public bool TryGetDecision(string shareId, [NotNullWhen(true)] out DecisionRecord? decision)
    {
        decision = ReadStored<DecisionRecord>(StateKeys.Decision(shareId));
        return decision is not null;
    }

    /// <summary>The receipt recorded in this log for share <paramref name="shareId"/> of <paramref name="providerOrigin"/>.</summary>
    public bool TryGetReceipt(string providerOrigin, string shareId, [NotNullWhen(true)] out ReceiptRecord? receipt)
    {
        receipt = ReadStored<ReceiptRecord>(StateKeys.Receipt(providerOrigin, shareId));
        return receipt is not null;
    }

    /// <summary>The verdict on <paramref name="license"/> today (China Standard Time, by the machine's clock).</summary>
    public (LicenseVerdict Verdict, string Reason) EvaluateToday(LicenseRecord license) =>
        LicenseVerdicts.Evaluate(license, LicenseVerdicts.Today(_time));

    private IEnumerable<(string Id, T Record)> RowsAfter<T>(string prefix, string after)
    {
        foreach (var (key, value) in _store.State.Scan(prefix, after)) yield return (key[prefix.Length..], StateKeys.Decode<T>(key, value));
    }

    private T? ReadStored<T>(string key) where T : class
    {
        var stored = _store.State.Get(key);
        return stored is null ? null : StateKeys.Decode<T>(key, stored);
    }
}
