using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Huren.Sdk.Evidence;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Timestamps;

/// <summary>
/// An RFC 3161 time-stamp of one of a bundle's checkpoints (<c>timestamps</c> in <c>huren-evidence/v1</c>,
/// docs/anchoring.md): the note the TSA stamped, verbatim, and the token. The token's message imprint is the note hash:
/// SHA-256 of the note's exact UTF-8 bytes. The note is carried because the bundle's note of the same checkpoint may
/// hold more cosignatures than the one stamped (notes gain cosignatures later), which changes the hash.
/// </summary>
public sealed class BundleTimestamp
{
    /// <summary>The log's origin.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The checkpoint's size.</summary>
    [JsonPropertyName("size")] public ulong Size { get; set; }

    /// <summary>The signed checkpoint note that was stamped, verbatim.</summary>
    [JsonPropertyName("note")] public string Note { get; set; } = "";

    /// <summary>The DER of the TimeStampToken (standard base64 in JSON).</summary>
    [JsonPropertyName("token")] public byte[] Token { get; set; } = [];
}

/// <summary>What one of a bundle's time-stamps showed, or why it was refused.</summary>
/// <param name="Origin">The stamped log.</param>
/// <param name="Size">The stamped checkpoint's size.</param>
/// <param name="IsValid">Whether the token is a valid time-stamp of the bundle's checkpoint.</param>
/// <param name="Failure">Why not, or null.</param>
public sealed record BundleTimestampResult(string Origin, ulong Size, bool IsValid, string? Failure)
{
    /// <summary>The TSA's time: the checkpoint existed then (when the token could be read).</summary>
    public DateTimeOffset? GenTime { get; init; }

    /// <summary>The signing TSA certificate's subject (when found).</summary>
    public string? TsaSubject { get; init; }
}

/// <summary>
/// Checks a bundle's time-stamps offline: each names a checkpoint the bundle holds (same origin, size and root hash as
/// the bundle's note of that origin, the stamped note's signatures aside), its token's imprint is SHA-256 of the
/// stamped note, and the token checks with <see cref="TimestampVerifier"/> against the configured TSA trust
/// (signature, signing certificate, chain to a trusted root at the stated time).
/// </summary>
public sealed class BundleTimestampVerifier(TimestampTrust trust)
{
    private readonly TimestampVerifier _verifier = new(trust);

    /// <summary>One result per element of <paramref name="bundle"/>'s <c>timestamps</c> (none when it carries none).</summary>
    public IReadOnlyList<BundleTimestampResult> Verify(EvidenceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var results = new List<BundleTimestampResult>();
        foreach (var stamp in bundle.Timestamps ?? []) results.Add(Verify(bundle, stamp));
        return results;
    }

    /// <summary>Checks <paramref name="stamp"/> against the checkpoint of its origin in <paramref name="bundle"/>.</summary>
    public BundleTimestampResult Verify(EvidenceBundle bundle, BundleTimestamp? stamp)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (stamp is null) return new("", 0, false, "a time-stamp element is null");
        BundleTimestampResult Fail(string reason) => new(stamp.Origin ?? "", stamp.Size, false, reason);
        if (stamp.Origin is null || stamp.Note is null || stamp.Token is null) return Fail("a time-stamp lacks its origin, note or token");
        var at = $"the time-stamp of {stamp.Origin} @ {stamp.Size}";
        if (!bundle.Checkpoints.TryGetValue(stamp.Origin, out var bundleNote) || bundleNote is null) return Fail($"{at}: the bundle holds no checkpoint of {stamp.Origin}");
        if (!TryCheckpoint(bundleNote, stamp.Origin, out var held, out var error)) return Fail($"{at}: the bundle's checkpoint of {stamp.Origin} does not read: {error}");
        if (!TryCheckpoint(stamp.Note, stamp.Origin, out var stamped, out error)) return Fail($"{at}: the stamped note does not read: {error}");
        if (stamped.Size != stamp.Size) return Fail($"{at}: the stamped note is of size {stamped.Size}");
        if (held.Size != stamped.Size || !held.RootHash.SequenceEqual(stamped.RootHash))
            return Fail($"{at}: the stamped checkpoint is not the bundle's ({stamp.Origin} @ {held.Size})");
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(stamp.Note));
        var result = _verifier.Verify(stamp.Token, digest);
        return result.IsValid
            ? new(stamp.Origin, stamp.Size, true, null) { GenTime = result.GenTime, TsaSubject = result.TsaSubject }
            : Fail($"{at}: {result.Failure}") with { GenTime = result.GenTime, TsaSubject = result.TsaSubject };
    }

    private static bool TryCheckpoint(string note, string origin, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Checkpoint? checkpoint, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        checkpoint = null;
        if (!SignedNote.TryParse(note, out var parsed, out error)) return false;
        return Checkpoint.TryParse(parsed.Text, origin, out checkpoint, out error);
    }
}
