using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Client;

/// <summary>A node's answer that does not match what was asked or sent: not to be believed.</summary>
public sealed class UntrustedAnswerException(string message) : Exception(message);

/// <summary>How to ask for a verdict.</summary>
public sealed record LicenseVerifyOptions
{
    /// <summary>The day to judge validity on (China time); today when null.</summary>
    public DateOnly? Day { get; init; }

    /// <summary>How long the node may hold the answer until its evidence is final; zero asks for the answer at once.</summary>
    public TimeSpan WaitForFinality { get; init; } = TimeSpan.FromSeconds(10);
}

public sealed partial class HurenClient
{
    /// <summary>
    /// Asks the node for a verdict and believes it only as far as its evidence goes (<see cref="VerifiedLicense.Check(VerdictResponse, LicenseQuestion, EvidenceVerifier, DateOnly, bool)"/>):
    /// the bundle verified against <paramref name="verifier"/>'s network, bound to the question and to the node's
    /// answer, and final when the node could make it final within <see cref="LicenseVerifyOptions.WaitForFinality"/>
    /// (the node waits, the client asks once).
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">The node refused the call or is unreachable.</exception>
    public async Task<VerifiedLicense> VerifyLicenseAsync(LicenseQuestion question, EvidenceVerifier verifier, LicenseVerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(verifier);
        options ??= new LicenseVerifyOptions();
        var wait = options.WaitForFinality < TimeSpan.Zero ? TimeSpan.Zero : options.WaitForFinality;
        var request = new VerifyLicenseRequest
        {
            LicenseId = question.LicenseId ?? "",
            DocumentDigest = question.DocumentDigest ?? [],
            WaitFinalMs = (uint)Math.Min(wait.TotalMilliseconds, uint.MaxValue),
        };
        if (options.Day is { } day) request.AtUnixMs = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), LicenseVerdictRules.ChinaStandardTime).ToUnixTimeMilliseconds();
        var response = await Licenses.VerifyAsync(request, WaitingOptions(wait, cancellationToken)).ConfigureAwait(false);
        return VerifiedLicense.Check(response, question, verifier, options.Day ?? LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow), nodeAskedAboutToday: options.Day is not null);
    }

    /// <summary>Checks seal entries before they are sent (the rules the node applies on arrival).</summary>
    private SealVerifier SealChecks => _sealChecks ??= new SealVerifier();

    private SealVerifier? _sealChecks;

    /// <summary>
    /// Checks <paramref name="entry"/> as the node will (schema and fields; for seals the GB/T 38540 structures and signatures), signs its encoding once with
    /// <paramref name="key"/>, submits the signed bytes, and checks that the receipt names those bytes (their leaf hash).
    /// </summary>
    /// <exception cref="ArgumentException">The entry is not valid; nothing was sent.</exception>
    /// <exception cref="UntrustedAnswerException">The node acknowledged other bytes than those signed.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused the entry or is unreachable.</exception>
    public async Task<SubmitResponse> SubmitAsync(Entry entry, SigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        var validation = EntryValidator.Validate(entry);
        if (!validation.IsValid) throw new ArgumentException($"the {entry.Kind} entry is not valid: {validation}", nameof(entry));
        if (SealEntryRules.Check(entry, SealChecks) is { IsValid: false } seal) throw new ArgumentException($"the {entry.Kind} entry is not valid: {seal.Reason}", nameof(entry));
        var leaf = EntrySigner.SignToLeaf(entry, key);
        var response = await Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, Options(cancellationToken)).ConfigureAwait(false);
        var leafHash = MerkleHash.LeafHash(leaf);
        if (!leafHash.AsSpan().SequenceEqual(response.LeafHash))
        {
            throw new UntrustedAnswerException($"the node acknowledged the {entry.Kind} entry with leaf hash {Convert.ToHexStringLower(response.LeafHash)}, not the hash of the signed entry ({Convert.ToHexStringLower(leafHash.AsSpan())})");
        }
        return response;
    }
}
