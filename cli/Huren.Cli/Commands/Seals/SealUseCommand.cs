using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;

namespace Huren.Cli.Commands.Seals;

/// <summary>
/// <c>huren seal use</c>: seals a document (盖章) with a registered seal and the signer's key and certificate, writes the
/// <c>SES_Signature</c> beside it, and records the use in the seal's log (<c>seal.use</c>) so that it stays provably
/// made before any later revocation.
/// </summary>
internal static class SealUseCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var document = new Argument<string>("document") { Description = "The document file to seal." };
        var sealId = new Option<string?>("--seal-id") { Description = "The registered seal to apply: its SES_Seal is fetched and checked against its verified registration." };
        var sealFile = new Option<string?>("--seal") { Description = "Apply this SES_Seal (DER file) instead of fetching it (it must still be the registered one)." };
        var signerKey = new Option<string>("--signer-key") { Description = "The signer's private key (PEM, SM2 or P-256).", Required = true };
        var signerCert = new Option<string>("--signer-cert") { Description = "The signer's certificate (PEM or DER), listed in the seal.", Required = true };
        var output = new Option<string?>("--out", "--output", "-o") { Description = "Write the SES_Signature (DER) here. Default: <document>.ses beside the document." };
        var matter = new Option<string>("--matter-code") { Description = "The matter (事项编码) the document belongs to, recorded with the use.", DefaultValueFactory = _ => "" };
        var noRecord = new Option<bool>("--no-record") { Description = "Only write the signature; do not record the use on the ledger." };
        var use = new Command("use",
            "Seal a document (盖章): an SES_Signature over the document's SM3 with the signer's key, written to a file, and a\n" +
            "seal.use entry recording it in the seal's city log, written as the seal's owner (default credential 'issuer').\n" +
            "A use recorded before a revocation keeps the document VALID afterwards.") { document, sealId, sealFile, signerKey, signerCert, output, matter, noRecord };
        access.AddTo(use);
        use.SetAction(async (parse, ct) =>
        {
            var documentPath = Path.GetFullPath(parse.GetValue(document)!);
            var key = SealFiles.ReadKey(parse.GetValue(signerKey)!, "signer key");
            var certificate = SealFiles.ReadCertificate(parse.GetValue(signerCert)!, "signer certificate");
            var id = parse.GetValue(sealId);
            var file = parse.GetValue(sealFile);
            if (id is null == file is null) throw new CliException("give --seal-id (the registered seal) or --seal FILE");
            using var session = access.Open(parse);
            SesSeal seal;
            if (file is not null) seal = SealFiles.ReadSeal(file);
            else
            {
                var record = await session.Client.GetSealAsync(id!, session.SealVerifier, TimeSpan.Zero, ct).ConfigureAwait(false);
                if (!record.IsVerified) throw new CliException($"the node's evidence for seal {id} does not verify, so it is not applied: {record.Evidence.Failure}");
                if (record.IsRevoked) throw new CliException($"seal {id} is revoked: {record.Evidence.Reason}");
                if (!parse.GetValue(noRecord) && record.Evidence.Origin != session.Origin)
                    throw new CliException($"seal {id} is registered in {record.Evidence.Origin}: its uses are recorded there (--city {record.Evidence.Origin[^6..]})");
                seal = record.Seal!;
            }
            SesSignature signature;
            try
            {
                using var stream = File.OpenRead(documentPath);
                // propertyInfo is IA5: the file name, percent-encoded when it is not ASCII.
                signature = SealSigner.SignDigest(seal, Digests.Sm3(stream), certificate, key, DateTimeOffset.UtcNow, Uri.EscapeDataString(Path.GetFileName(documentPath)));
            }
            catch (ArgumentException ex)
            {
                throw new CliException($"the document cannot be sealed: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
            }
            var signaturePath = SealFiles.Write(parse.GetValue(output) ?? documentPath + ".ses", signature.Der, "signature", overwrite: true);
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(noRecord))
            {
                await stdout.WriteLineAsync(session.AsJson
                    ? JsonSerializer.Serialize(new { sealId = seal.EsId, signature = signaturePath, signedAt = signature.ToSign.TimeInfo, recorded = false }, CliJson.Options)
                    : $"Sealed {documentPath} with seal {seal.EsId} ({seal.Info.Property.Name}); signature: {signaturePath} (use not recorded)").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var body = SealEntryRules.Use(signature, parse.GetValue(matter)!);
            var entry = EntrySubmission.Create(Schemas.Envelope.EntryKinds.SealUse, body.SealId, Licenses.LicenseCommand.ActingIssuerId(session), session.Origin, body);
            var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
            if (session.AsJson)
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    sealId = seal.EsId, signature = signaturePath, signedAt = signature.ToSign.TimeInfo,
                    recorded = new { origin = response.Origin, index = response.Index, leafHash = Convert.ToHexStringLower(response.LeafHash) },
                }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await stdout.WriteLineAsync($"Sealed {documentPath} with seal {seal.EsId} ({seal.Info.Property.Name}); signature: {signaturePath}").ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, stdout, $"use of seal {seal.EsId}").ConfigureAwait(false);
        });
        return use;
    }
}
