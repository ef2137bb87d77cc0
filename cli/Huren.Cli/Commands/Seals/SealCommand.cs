using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Commands.Network;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Seals;

namespace Huren.Cli.Commands.Seals;

/// <summary>
/// <c>huren seal …</c>: electronic seals (电子印章, GB/T 38540). A seal-making authority (制章机构) registers and revokes
/// seals in its city's log; the owner seals documents (盖章) and records each use; any counter verifies a sealed
/// document through any city's node, believing the answer only when its evidence verifies locally.
/// </summary>
internal static class SealCommand
{
    public static Command Build()
    {
        var seal = new Command("seal", "Electronic seals (电子印章, GB/T 38540): register, revoke, list, show, apply (use) and verify.");
        seal.Subcommands.Add(SealRegisterCommand.Build());
        seal.Subcommands.Add(BuildRevoke());
        seal.Subcommands.Add(BuildList());
        seal.Subcommands.Add(BuildShow());
        seal.Subcommands.Add(SealUseCommand.Build());
        seal.Subcommands.Add(SealVerifyCommand.Build());
        seal.Subcommands.Add(BuildCertificate());
        return seal;
    }

    private static Command BuildRevoke()
    {
        var access = new NodeAccessOptions(LocalNetwork.SampleSealMaker);
        var id = new Argument<string>("seal-id") { Description = "The seal's esID." };
        var reason = new Option<string>("--reason") { Description = "Why (吊销 as a penalty, 注销 on request, 遗失 lost …), recorded in the entry.", DefaultValueFactory = _ => "印章注销" };
        var revoke = new Command("revoke",
            "Revoke a seal (吊销/注销): a seal.revoke entry by the seal-making authority that registered it. Documents sealed\n" +
            "afterwards verify REVOKED; documents whose sealing was recorded before (seal use) stay VALID.") { id, reason };
        access.AddTo(revoke);
        revoke.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var sealId = parse.GetValue(id)!;
            var entry = EntrySubmission.Create(EntryKinds.SealRevoke, sealId, Licenses.LicenseCommand.ActingIssuerId(session), session.Origin,
                new Schemas.Bodies.SealRevoked { SealId = sealId, Reason = parse.GetValue(reason)! });
            var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output, $"revocation of seal {sealId}").ConfigureAwait(false);
        });
        return revoke;
    }

    private static Command BuildList()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var origin = new Option<string?>("--origin") { Description = "Only seals of this city's log (city code or origin). Default: every log the node keeps." };
        var issuer = new Option<string?>("--issuer") { Description = "Only seals registered by this seal-making authority (issuer id)." };
        var owner = new Option<string?>("--owner") { Description = "Only seals of this owner (统一社会信用代码)." };
        var list = new Command("list", "List registered seals (the node's listing; 'huren seal show ID' verifies one).") { origin, issuer, owner };
        access.AddTo(list);
        list.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var request = new ListSealsRequest
            {
                Origin = parse.GetValue(origin) is { } o ? session.OriginOf(o) : "",
                IssuerId = parse.GetValue(issuer) ?? "",
                OwnerCode = parse.GetValue(owner) ?? "",
            };
            var seals = new List<SealSummary>();
            await foreach (var seal in session.Client.ListSealsAsync(request, ct).ConfigureAwait(false)) seals.Add(seal);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { seals = seals.Select(Json) }, CliJson.Options)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            if (seals.Count == 0)
            {
                await output.WriteLineAsync("No seals are registered in the logs this node keeps (a seal-making authority registers one with 'huren seal register').").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            await output.WriteAsync(ConsoleTable.Format(["SEAL", "NAME", "TYPE", "OWNER", "REGISTERED BY", "VALID", "STATE", "AT"],
                seals.Select(s => new[]
                {
                    s.SealId, s.Name, s.SealType, s.OwnerCode, s.IssuerId, $"{s.ValidFrom} – {s.ValidUntil}", s.Revoked ? "revoked" : "active",
                    $"{s.Origin} #{s.RegisteredIndex.ToString(CultureInfo.InvariantCulture)}",
                }))).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return list;
    }

    private static Command BuildShow()
    {
        var access = new NodeAccessOptions(CliRoles.Counter);
        var id = new Argument<string>("seal-id") { Description = "The seal's esID." };
        var save = new Option<string?>("--save") { Description = "Also write the registered SES_Seal (DER) to this file." };
        var waitFinal = new Option<int>("--wait-final") { Description = "Seconds (0–60) the node may wait for its checkpoint to be final.", DefaultValueFactory = _ => 10 }
            .InRange(0, 60, "seconds");
        var show = new Command("show",
            "Show a registered seal as its verified registration says: name, type, owner, maker, who may use it, validity,\n" +
            "state. Exit 0: registered and not revoked; 1: revoked, unknown, or evidence that does not verify.") { id, save, waitFinal };
        access.AddTo(show);
        show.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var sealId = parse.GetValue(id)!;
            var output = parse.InvocationConfiguration.Output;
            Sdk.Client.VerifiedSealRecord record;
            try
            {
                record = await session.Client.GetSealAsync(sealId, session.SealVerifier, TimeSpan.FromSeconds(parse.GetValue(waitFinal)), ct).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                await output.WriteLineAsync(session.AsJson ? JsonSerializer.Serialize(new { sealId, state = "UNKNOWN", reason = ex.Status.Detail }, CliJson.Options) : $"UNKNOWN  {ex.Status.Detail}").ConfigureAwait(false);
                return ExitCodes.Negative;
            }
            if (!record.IsVerified)
            {
                await output.WriteLineAsync(session.AsJson ? JsonSerializer.Serialize(new { sealId, evidence = new { verified = false, failure = record.Evidence.Failure } }, CliJson.Options)
                    : $"NOT VERIFIED  seal {sealId}: {record.Evidence.Failure}").ConfigureAwait(false);
                return ExitCodes.Negative;
            }
            if (parse.GetValue(save) is { } path) SealFiles.Write(path, record.Seal!.Der, "seal", overwrite: true);
            var seal = record.Seal!;
            var property = seal.Info.Property;
            var maker = SealCertificate.TryParse(seal.MakerCertificate, out var makerCertificate, out _) ? makerCertificate : null;
            var evidence = record.Evidence;
            var state = evidence.Verdict == SealVerdict.Revoked ? "REVOKED" : "VALID";
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    sealId, state, reason = evidence.Reason, name = property.Name, type = property.Type, ownerCode = evidence.Registration!.OwnerCode,
                    issuerId = evidence.IssuerId, origin = evidence.Origin, maker = maker?.Subject, makerKeyId = maker?.PublicKey.Id.ToString(),
                    validStart = property.ValidStart, validEnd = property.ValidEnd, createDate = property.CreateDate,
                    signers = Signers(property), picture = new { type = seal.Info.Picture.Type, bytes = seal.Info.Picture.Data.Length, widthMm = seal.Info.Picture.WidthMm, heightMm = seal.Info.Picture.HeightMm },
                    evidence = new { verified = true, final = evidence.Final },
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{state}  seal {sealId}  {property.Name}").ConfigureAwait(false);
                await output.WriteAsync(ConsoleTable.Rows(
                [
                    ("State", evidence.Reason),
                    ("Type", property.Type.ToString(CultureInfo.InvariantCulture)),
                    ("Owner", evidence.Registration!.OwnerCode),
                    ("Made by", $"{maker?.Subject} (key {maker?.PublicKey.Id.ToString()[..16]}…), {SealFiles.Show(property.CreateDate)}"),
                    ("Registered", $"{evidence.Origin} by {evidence.IssuerId}"),
                    ("Valid", $"{evidence.Registration.ValidFrom} – {evidence.Registration.ValidUntil} (China time)"),
                    ("May use it", string.Join("; ", Signers(property))),
                    ("Picture", $"{seal.Info.Picture.Type}, {seal.Info.Picture.Data.Length} bytes, {seal.Info.Picture.WidthMm}×{seal.Info.Picture.HeightMm} mm"),
                    ("Evidence", $"verified here; checkpoint {(evidence.Final ? "final" : "NOT final")}"),
                    ("Asked", session.Describe()),
                ])).ConfigureAwait(false);
            }
            return evidence.Verdict == SealVerdict.Valid ? ExitCodes.Success : ExitCodes.Negative;
        });
        return show;
    }

    /// <summary>Who may apply the seal: the listed certificates' subjects, or their digests.</summary>
    private static List<string> Signers(SesPropertyInfo property) => property.CertListType == SesCertListType.Certificates
        ? [.. property.Certificates.Select(der => SealCertificate.TryParse(der, out var c, out _) ? c.Subject : "(unreadable certificate)")]
        : [.. property.CertificateDigests.Select(d => $"{d.Type}:{Convert.ToHexStringLower(d.Value)}")];

    private static Command BuildCertificate()
    {
        var key = new Option<string>("--key") { Description = "The subject's key (PKCS#8 PEM, SM2 or P-256; 'huren keys gen --alg sm2 -o FILE').", Required = true };
        var subject = new Option<string>("--subject") { Description = "Subject DN, e.g. \"CN=张三,O=长沙市市场监督管理局,C=CN\".", Required = true };
        var issuerKey = new Option<string?>("--issuer-key") { Description = "The issuing authority's key; default: self-signed with --key." };
        var issuerCert = new Option<string?>("--issuer-cert") { Description = "The issuing authority's certificate (its subject becomes the issuer DN); with --issuer-key." };
        var authority = new Option<bool>("--ca") { Description = "A certificate authority (basic constraints CA, keyCertSign), e.g. a seal maker that issues its signers' certificates." };
        var days = new Option<int>("--days") { Description = "Validity in days from now.", DefaultValueFactory = _ => 730 };
        var output = new Option<string>("--out", "--output", "-o") { Description = "Write the certificate (PEM) here.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var certificate = new Command("cert",
            "Make an X.509 certificate for a seal maker (制章机构) or a signer (签章人), SM3withSM2 or ecdsa-with-SHA256, with\n" +
            "Huren's own signer (no network needed). Trust in a maker comes from the ledger registering its key, not from\n" +
            "certificate chains; the certificate carries the key and its validity.") { key, subject, issuerKey, issuerCert, authority, days, output, json };
        certificate.SetAction(async (parse, ct) =>
        {
            var subjectKey = SealFiles.ReadKey(parse.GetValue(key)!, "key");
            var signer = subjectKey;
            var issuerName = parse.GetValue(subject)!;
            if (parse.GetValue(issuerKey) is { } issuerKeyPath)
            {
                signer = SealFiles.ReadKey(issuerKeyPath, "issuer key");
                var issuerCertificate = SealFiles.ReadCertificate(parse.GetValue(issuerCert) ?? throw new CliException("--issuer-key needs --issuer-cert (the issuing authority's certificate)"), "issuer certificate");
                if (issuerCertificate.PublicKey.Id != signer.Id) throw new CliException("--issuer-key is not the key of --issuer-cert");
                issuerName = issuerCertificate.Subject;
            }
            else if (parse.GetValue(issuerCert) is not null) throw new CliException("--issuer-cert needs --issuer-key");
            if (parse.GetValue(days) < 1) throw new CliException("--days must be at least 1");
            var now = DateTimeOffset.UtcNow;
            SealCertificate made;
            try
            {
                made = SealCertificate.Issue(parse.GetValue(subject)!, subjectKey.PublicKey, issuerName, signer, now.AddMinutes(-5), now.AddDays(parse.GetValue(days)), parse.GetValue(authority));
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message.Split(" (Parameter", 2)[0], ex);
            }
            var path = SealFiles.Write(parse.GetValue(output)!, System.Text.Encoding.ASCII.GetBytes(SealFiles.Pem(made)), "certificate");
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(new { path, subject = made.Subject, issuer = made.Issuer, keyId = made.PublicKey.Id.ToString(), notBefore = made.NotBefore, notAfter = made.NotAfter }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await stdout.WriteLineAsync($"Certificate for {made.Subject} (key {made.PublicKey.Id.ToString()[..16]}…, {made.PublicKey.Algorithm}), issued by {made.Issuer}, valid until {SealFiles.Show(made.NotAfter)}: {path}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return certificate;
    }

    private static object Json(SealSummary s) => new
    {
        sealId = s.SealId, name = s.Name, sealType = s.SealType, ownerCode = s.OwnerCode, issuerId = s.IssuerId, origin = s.Origin,
        validFrom = s.ValidFrom, validUntil = s.ValidUntil, revoked = s.Revoked, registeredIndex = s.RegisteredIndex,
        revokedIndex = s.Revoked ? s.RevokedIndex : (ulong?)null, revokeReason = s.Revoked ? s.RevokeReason : null,
    };
}
