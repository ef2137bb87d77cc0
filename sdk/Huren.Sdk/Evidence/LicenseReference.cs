using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Evidence;

/// <summary>
/// What a license's QR code carries (docs/counter.md, "The QR reference"): the license id and the log entry that
/// answers for it — origin, index and RFC 9162 leaf hash of its <c>license.issue</c> (or, after a transfer, its
/// <c>license.transfer.accept</c>) entry. Text form:
/// <c>huren:license?v=1&amp;id=&lt;license id&gt;&amp;o=&lt;origin&gt;&amp;i=&lt;index&gt;&amp;h=&lt;leaf hash, base64url&gt;</c>.
/// A reference is a question, never an answer: it is believed only when verified evidence holds that very entry
/// (<see cref="IsProvenBy"/>).
/// </summary>
public sealed record LicenseReference
{
    /// <summary>The scheme and path every reference starts with.</summary>
    public const string Prefix = "huren:license?";

    /// <summary>The only version this code reads and writes.</summary>
    public const int Version = 1;

    /// <summary>A reference to <paramref name="licenseId"/>'s entry at <paramref name="origin"/> #<paramref name="index"/>.</summary>
    /// <exception cref="ArgumentException">An id, origin or hash that a reference cannot carry.</exception>
    public LicenseReference(string licenseId, string origin, ulong index, byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (LicenseIdentifier.Validate(licenseId, "id") is { } idError) throw new ArgumentException(idError.Message, nameof(licenseId));
        if (LogOrigin.Validate(origin, "o") is { } originError) throw new ArgumentException(originError.Message, nameof(origin));
        if (leafHash.Length != 32) throw new ArgumentException($"a leaf hash is 32 bytes, got {leafHash.Length}", nameof(leafHash));
        LicenseId = licenseId;
        Origin = origin;
        Index = index;
        LeafHash = leafHash;
    }

    /// <summary>The license's 证照标识.</summary>
    public string LicenseId { get; }

    /// <summary>The log holding the entry.</summary>
    public string Origin { get; }

    /// <summary>The entry's index in that log.</summary>
    public ulong Index { get; }

    /// <summary>SHA-256(0x00 ‖ SignedEntry bytes) of the entry (32 bytes).</summary>
    public byte[] LeafHash { get; }

    /// <summary>The reference to the entry a verified bundle shows for its license (<see cref="EvidenceResult.LicenseEntry"/>).</summary>
    /// <exception cref="ArgumentException">The evidence is not verified or holds no license entry.</exception>
    public static LicenseReference From(EvidenceResult evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (!evidence.IsValid || evidence.LicenseEntry is not { } entry) throw new ArgumentException("only verified evidence with a license entry can be referenced", nameof(evidence));
        return new LicenseReference(evidence.Subject, entry.Origin, entry.Index, entry.LeafHash);
    }

    /// <summary>The text form (what the QR code encodes).</summary>
    public override string ToString()
        => $"{Prefix}v={Version}&id={Uri.EscapeDataString(LicenseId)}&o={Uri.EscapeDataString(Origin)}&i={Index.ToString(CultureInfo.InvariantCulture)}&h={Base64Url(LeafHash)}";

    /// <summary>Reads the text form strictly: every parameter once, in any order, none unknown, version 1.</summary>
    /// <returns>False with the reason when <paramref name="text"/> is not a reference this version reads.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out LicenseReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"not a Huren license reference (it must start with '{Prefix}')";
            return false;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in text[Prefix.Length..].Split('&'))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? pair : pair[..equals];
            if (name is not ("v" or "id" or "o" or "i" or "h"))
            {
                error = $"the reference has an unknown parameter '{name}'";
                return false;
            }
            if (equals < 0 || !values.TryAdd(name, SafeUnescape(pair[(equals + 1)..])))
            {
                error = equals < 0 ? $"parameter '{name}' has no value" : $"parameter '{name}' appears twice";
                return false;
            }
        }
        foreach (var required in new[] { "v", "id", "o", "i", "h" })
        {
            if (!values.ContainsKey(required))
            {
                error = $"the reference lacks parameter '{required}'";
                return false;
            }
        }
        if (values["v"] != "1")
        {
            error = $"reference version '{values["v"]}' is not {Version}";
            return false;
        }
        if (LicenseIdentifier.Validate(values["id"], "id") is { } idError)
        {
            error = idError.Message;
            return false;
        }
        if (LogOrigin.Validate(values["o"], "o") is { } originError)
        {
            error = originError.Message;
            return false;
        }
        if (!ulong.TryParse(values["i"], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || values["i"].Length > 1 && values["i"][0] == '0')
        {
            error = $"i: '{values["i"]}' is not an entry index (decimal digits, no leading zero)";
            return false;
        }
        if (FromBase64Url(values["h"]) is not { Length: 32 } hash)
        {
            error = "h: the leaf hash must be 32 bytes in base64url without padding (43 characters)";
            return false;
        }
        reference = new LicenseReference(values["id"], values["o"], index, hash);
        error = null;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="bundle"/>, already verified as <paramref name="evidence"/>, proves this reference: it is
    /// about this license, and it holds the entry at (origin, index) with exactly this leaf hash, as that license's
    /// issue or transfer-accept entry. (A license transferred after its code was printed still matches: its bundle
    /// carries the issuing log's issue entry.)
    /// </summary>
    public bool IsProvenBy(EvidenceBundle bundle, EvidenceResult evidence, [NotNullWhen(false)] out string? why)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(evidence);
        if (!evidence.IsValid)
        {
            why = "the evidence does not verify";
            return false;
        }
        if (evidence.Subject != LicenseId)
        {
            why = $"the evidence is about {evidence.Subject}, the code names {LicenseId}";
            return false;
        }
        foreach (var entry in bundle.Entries)
        {
            if (entry.Origin != Origin || entry.Index != Index) continue;
            byte[] leaf;
            try
            {
                leaf = Convert.FromBase64String(entry.Leaf);
            }
            catch (FormatException)
            {
                break;
            }
            if (!MerkleHash.LeafHash(leaf).AsSpan().SequenceEqual(LeafHash))
            {
                why = $"the entry at {Origin} #{Index} has another leaf hash than the code names: the code is not this license's";
                return false;
            }
            var read = Entries.LeafReader.Read(leaf).Entry;
            var answersForLicense = read.Kind == EntryKinds.LicenseIssue && read.RecordId == LicenseId
                || read.Kind == EntryKinds.LicenseTransferAccept && evidence.LicenseEntry is { } accept && accept.Origin == Origin && accept.Index == Index;
            if (!answersForLicense)
            {
                why = $"the entry at {Origin} #{Index} is a {read.Kind} of {read.RecordId}, not the issue or acceptance of {LicenseId}";
                return false;
            }
            why = null;
            return true;
        }
        why = $"the evidence does not hold the entry {Origin} #{Index} that the code names";
        return false;
    }

    private static string SafeUnescape(string value)
    {
        try
        {
            return Uri.UnescapeDataString(value);
        }
        catch (UriFormatException)
        {
            return value;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? FromBase64Url(string text)
    {
        if (text.Length % 4 == 1 || text.Contains('=', StringComparison.Ordinal)) return null;
        var sb = new StringBuilder(text.Replace('-', '+').Replace('_', '/'));
        while (sb.Length % 4 != 0) sb.Append('=');
        try
        {
            var bytes = Convert.FromBase64String(sb.ToString());
            // One text per hash: refuse non-canonical trailing bits.
            return Base64Url(bytes) == text ? bytes : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
