using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Evidence;
using Huren.Sdk.Xml;

namespace Huren.Cli.Commands.Licenses;

/// <summary>
/// A license's metadata as signed XML (license-metadata-v1.xsd, enveloped XMLDSig): <c>huren license export ID --xml</c>
/// signs it with the issuing department's own key, the one its city root registered; <c>huren license verify --xml</c>
/// checks it against the key the verified ledger gives for that department, and refuses every wrapping shape.
/// </summary>
internal static class LicenseXmlCommands
{
    public static Command BuildExport()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var id = new Argument<string>("license-id") { Description = "The 证照标识 to export." };
        var xml = new Option<bool>("--xml") { Description = "Signed XML (license-metadata-v1.xsd with an enveloped XML signature): the export format." };
        var output = new Option<string>("--out", "--output", "-o") { Description = "The file to write.", Required = true };
        var export = new Command("export",
            "Export a license's metadata as XML signed by the issuing department (the acting issuer, with the P-256 key its city\n" +
            "root registered): 证照标识, type, holder, issuing authority, validity and status as the verified ledger entries\n" +
            "leave them. Check it with 'huren license verify --xml FILE' or 'xmlsec1 --verify'.") { id, xml, output };
        access.AddTo(export);
        export.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(xml)) throw new CliException("give --xml: signed XML (license-metadata-v1.xsd) is the export format");
            using var session = access.Open(parse);
            var licenseId = parse.GetValue(id)!;
            var answer = await session.VerifyAsync(LicenseQuestion.ById(licenseId), TimeSpan.Zero, null, ct).ConfigureAwait(false);
            if (answer.IsUnknown) throw new CliException($"license {licenseId} is not known to {session.Describe()}: {answer.Response.Reason}");
            if (!answer.IsVerified) throw new CliException($"the node's evidence for {licenseId} does not verify, so it is not exported: {answer.Failure}");
            var evidence = answer.Evidence;
            if (evidence.IssuerKey?.Id != session.Key.PublicKey.Id)
                throw new CliException($"license {licenseId} is answered for by issuer {evidence.IssuerId}, and '{session.Credential.Principal}' holds another key: the issuing department signs its own export (--as {evidence.IssuerId})");
            XmlSigningKey key;
            try
            {
                key = XmlSigningKey.FromSigningKey(session.Key);
            }
            catch (ArgumentException)
            {
                throw new CliException($"issuer {evidence.IssuerId} signs with {session.Key.Algorithm}; XML signatures need its key to be P-256 (XML signature has no SM2 or Ed25519 method other tools read)");
            }
            var position = evidence.LicenseEntry is { } entry ? new LedgerPosition(entry.Origin, entry.Index, entry.LeafHash) : null;
            var metadata = LicenseMetadata.FromEntries(evidence.History, position);
            var bytes = LicenseXmlSigner.Export(metadata, DateTimeOffset.UtcNow, key);
            var path = Seals.SealFiles.Write(parse.GetValue(output)!, bytes, "XML export", overwrite: true);
            var stdout = parse.InvocationConfiguration.Output;
            await stdout.WriteLineAsync(session.AsJson
                ? JsonSerializer.Serialize(new { licenseId, statusCode = metadata.StatusCode, path, bytes = bytes.Length, issuerId = evidence.IssuerId, keyId = session.Key.Id.ToString() }, CliJson.Options)
                : $"Exported license {licenseId} (status {metadata.StatusCode} {LicenseMetadata.StatusName(metadata.StatusCode)}) as XML signed by {evidence.IssuerId} (key {session.Key.Id.ToString()[..16]}…) to {path}").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return export;
    }

    /// <summary>The license id an XML document names (unverified: it only says whose key to check it with).</summary>
    /// <exception cref="CliException">Unreadable file.</exception>
    public static (byte[] Bytes, string? LicenseId, string? Error) Read(string path)
    {
        var bytes = Seals.SealFiles.Read(path, "XML document");
        return LicenseXmlVerifier.TryReadLicenseId(bytes, out var licenseId, out var error) ? (bytes, licenseId, null) : (bytes, null, error);
    }

    /// <summary>
    /// Checks <paramref name="xml"/> with the key <paramref name="evidence"/> (verified) gives for the license's issuer,
    /// and reports it beside the ledger's verdict. Exit 0 only when the signature holds, the signed document is about
    /// that license and states what the verified entries give now (not a stale export), and the ledger says VALID on
    /// evidence a counter may rely on (final, its latest state proven, not older than <paramref name="maxAge"/>).
    /// </summary>
    public static async Task<int> ReportAsync(byte[] xml, string? peekError, EvidenceResult evidence, TimeSpan? maxAge, string how, bool asJson, TextWriter output)
    {
        evidence = LicenseVerifyCommand.TooOld(evidence, maxAge);
        LicenseXmlVerification? result = null;
        string? failure = peekError is not null ? $"not license XML: {peekError}"
            : !evidence.IsValid ? $"the ledger's evidence is not accepted: {evidence.Failure}"
            : evidence.IssuerKey is not { } key ? $"the evidence gives no key for issuer {evidence.IssuerId}"
            : key.Algorithm != Schemas.Envelope.SignatureAlgorithm.EcdsaP256Sha256 ? $"issuer {evidence.IssuerId} signs with {key.Algorithm}: it cannot have signed XML"
            : null;
        if (failure is null)
        {
            result = new LicenseXmlVerifier(XmlVerificationKey.FromPublicKey(evidence.IssuerKey!)).Verify(xml);
            if (!result.IsValid) failure = $"{result.Verdict}: {result.Reason}";
            else if (result.Metadata!.LicenseId != evidence.Subject) failure = $"the signed document is about {result.Metadata.LicenseId}, the evidence about {evidence.Subject}";
        }
        // The export states the license as its entries were when it was signed; a later change (a new document, fields,
        // validity) or status entry makes it stale: authentic, but no longer the license as it is.
        var stale = failure is null ? Stale(result!.Metadata!, evidence) : [];
        var ledger = evidence.IsValid ? LicenseVerdictRules.Name(evidence.Verdict) : null;
        var accepted = failure is null && stale.Count == 0 && evidence is { Reliable: true, Verdict: LicenseVerdict.Valid };
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                signed = failure is null, failure, licenseId = result?.Metadata?.LicenseId, statusCode = result?.Metadata?.StatusCode, exportedAt = result?.ExportedAt,
                signer = failure is null ? evidence.IssuerId : null, ledgerVerdict = ledger, final = evidence.Final, statusProven = evidence.IsValid && evidence.StatusProven,
                staleIn = failure is null ? stale : null,
            }, CliJson.Options)).ConfigureAwait(false);
            return accepted ? ExitCodes.Success : ExitCodes.Negative;
        }
        if (failure is not null)
        {
            await output.WriteLineAsync($"REFUSED  {failure}").ConfigureAwait(false);
            return ExitCodes.Negative;
        }
        var metadata = result!.Metadata!;
        var headline = accepted ? "SIGNED" : stale.Count > 0 ? "SIGNED, BUT STALE" : $"SIGNED, BUT {LicenseVerifyCommand.Headline(evidence)}";
        await output.WriteLineAsync($"{headline}  {metadata.LicenseId}  {metadata.Name}").ConfigureAwait(false);
        List<(string, string)> staleRow = stale.Count == 0 ? []
            : [("Stale", $"the ledger's entries give the license otherwise now in: {string.Join(", ", stale)}; export it again ('huren license export {metadata.LicenseId} --xml')")];
        await output.WriteAsync(ConsoleTable.Rows(
        [
            ("Signed by", $"{evidence.IssuerId} (the key its city root registered, {evidence.IssuerKey!.Id.ToString()[..16]}…)"),
            ("Exported", $"{result.ExportedAt:yyyy-MM-dd HH:mm:ss zzz}, status {metadata.StatusCode} {LicenseMetadata.StatusName(metadata.StatusCode)}"),
            ("Holder", metadata.HolderName),
            .. staleRow,
            ("Ledger says", $"{LicenseVerifyCommand.Headline(evidence)} on {evidence.Day:yyyy-MM-dd}; {how}"),
            ("Checkpoint", LicenseVerifyCommand.Freshness(evidence)),
        ])).ConfigureAwait(false);
        return accepted ? ExitCodes.Success : ExitCodes.Negative;
    }

    /// <summary>Where the signed metadata differs from what the verified entries give now (empty: it is current).</summary>
    private static IReadOnlyList<string> Stale(LicenseMetadata signed, EvidenceResult evidence)
    {
        var position = evidence.LicenseEntry is { } entry ? new LedgerPosition(entry.Origin, entry.Index, entry.LeafHash) : null;
        try
        {
            return signed.DifferencesFrom(LicenseMetadata.FromEntries(evidence.History, position));
        }
        catch (FormatException ex)
        {
            // Verified entries always decode; should they not, the export cannot be shown current.
            return [$"(the ledger's entries cannot be read: {ex.Message})"];
        }
    }
}
