using System.CommandLine;
using System.Security;
using Huren.Cli.Commands.Network;
using Huren.Schemas.Envelope;
using Huren.Sdk.Seals;

namespace Huren.Cli.Commands.Seals;

/// <summary>
/// <c>huren seal register</c>: a seal-making authority (制章机构) registers a seal (制章备案) in its city's log: an
/// existing <c>SES_Seal</c> DER file, or one it makes here from its maker key and certificate with
/// <see cref="SealMaker"/>.
/// </summary>
internal static class SealRegisterCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(LocalNetwork.SampleSealMaker);
        var sealFile = new Option<string?>("--seal") { Description = "Register this SES_Seal (DER file) as it is; the options below then only name the owner." };
        var owner = new Option<string>("--owner-code") { Description = "The owning organisation's 统一社会信用代码.", Required = true };
        var esId = new Option<string?>("--es-id") { Description = "The new seal's id (esID), e.g. 43010020250001." };
        var name = new Option<string?>("--name") { Description = "The seal's name (印章名称), e.g. 长沙市市场监督管理局." };
        var type = new Option<int>("--type") { Description = "The seal type code (SES_ESPropertyInfo.type), within the authority's seal scope.", DefaultValueFactory = _ => 1 };
        var makerKey = new Option<string?>("--maker-key") { Description = "The maker's private key (PEM, SM2 or P-256): the authority's signing key or a seal maker key it was registered with." };
        var makerCert = new Option<string?>("--maker-cert") { Description = "The maker's certificate (PEM or DER) of that key." };
        var signers = new Option<string[]>("--signer-cert") { Description = "A certificate (PEM or DER) allowed to apply the seal (repeat).", AllowMultipleArgumentsPerToken = true };
        var digests = new Option<bool>("--cert-digests") { Description = "List the signers by SM3 digest (certListType 2) instead of whole certificates." };
        var picture = new Option<string?>("--picture") { Description = "The seal image (png, svg, ofd …; at most 1 MiB, larger images wait for the content store). Default: a drawn SVG seal." };
        var pictureType = new Option<string?>("--picture-type") { Description = "The image type; default: the file's extension." };
        var size = new Option<int>("--size-mm") { Description = "The image's width and height in millimetres.", DefaultValueFactory = _ => 40 };
        var validFrom = new Option<string?>("--valid-from") { Description = "First day of validity (yyyy-MM-dd, China time). Default: today." };
        var validUntil = new Option<string?>("--valid-until") { Description = "Last day of validity (yyyy-MM-dd, China time). Default: three years on." };
        var save = new Option<string?>("--save") { Description = "Also write the seal made here (DER) to this file." };
        var register = new Command("register",
            "Register a seal (制章备案) in the city's log as its seal-making authority (default credential 'seals'): the node\n" +
            "parses the SES_Seal, checks the maker's signature, that the maker certificate's key is this authority's, that\n" +
            "the esID is the record id and that type, name and dates agree. Either --seal FILE, or make one here with\n" +
            "--es-id, --name, --maker-key, --maker-cert and --signer-cert.")
        {
            sealFile, owner, esId, name, type, makerKey, makerCert, signers, digests, picture, pictureType, size, validFrom, validUntil, save,
        };
        access.AddTo(register);
        register.SetAction(async (parse, ct) =>
        {
            SesSeal seal;
            if (parse.GetValue(sealFile) is { } path)
            {
                if (parse.GetValue(esId) is not null || parse.GetValue(makerKey) is not null) throw new CliException("give either --seal FILE or the options that make a seal (--es-id, --maker-key …), not both");
                seal = SealFiles.ReadSeal(path);
            }
            else
            {
                seal = Make(parse, esId, name, type, makerKey, makerCert, signers, digests, picture, pictureType, size, validFrom, validUntil);
                if (parse.GetValue(save) is { } savePath) SealFiles.Write(savePath, seal.Der, "seal");
            }
            using var session = access.Open(parse);
            var body = SealEntryRules.Registration(seal, parse.GetValue(owner)!);
            var entry = EntrySubmission.Create(EntryKinds.SealRegister, body.SealId, Licenses.LicenseCommand.ActingIssuerId(session), session.Origin, body);
            var response = await EntrySubmission.SubmitAsync(session, entry, session.Key, ct).ConfigureAwait(false);
            return await EntrySubmission.ReportAsync(session, entry, response, parse.InvocationConfiguration.Output,
                $"seal {body.SealId} ({body.Name}, type {body.SealType}, valid {body.ValidFrom} – {body.ValidUntil})").ConfigureAwait(false);
        });
        return register;
    }

    private static SesSeal Make(ParseResult parse, Option<string?> esId, Option<string?> name, Option<int> type, Option<string?> makerKey, Option<string?> makerCert,
        Option<string[]> signers, Option<bool> digests, Option<string?> picture, Option<string?> pictureType, Option<int> size, Option<string?> validFrom, Option<string?> validUntil)
    {
        var id = parse.GetValue(esId) ?? throw new CliException("--es-id is required to make a seal (or give --seal FILE)");
        var sealName = parse.GetValue(name) ?? throw new CliException("--name is required to make a seal");
        var key = SealFiles.ReadKey(parse.GetValue(makerKey) ?? throw new CliException("--maker-key is required to make a seal"), "maker key");
        var certificate = SealFiles.ReadCertificate(parse.GetValue(makerCert) ?? throw new CliException("--maker-cert is required to make a seal"), "maker certificate");
        var signerFiles = parse.GetValue(signers) ?? [];
        if (signerFiles.Length == 0) throw new CliException("--signer-cert is required: at least one certificate that may apply the seal");
        var signerCertificates = signerFiles.Select(f => SealFiles.ReadCertificate(f, "signer certificate")).ToList();
        var now = DateTimeOffset.UtcNow;
        var from = parse.GetValue(validFrom) is { } f ? SealFiles.ParseDay(f, "--valid-from") : Sdk.Evidence.LicenseVerdictRules.DayOf(now);
        var until = parse.GetValue(validUntil) is { } u ? SealFiles.ParseDay(u, "--valid-until") : from.AddYears(3).AddDays(-1);
        var byDigest = parse.GetValue(digests);
        var property = new SesPropertyInfo(parse.GetValue(type), sealName, byDigest ? SesCertListType.CertificateDigests : SesCertListType.Certificates,
            byDigest ? [] : [.. signerCertificates.Select(c => c.Der)], byDigest ? [.. signerCertificates.Select(SealMaker.Sm3DigestOf)] : [],
            now, SealFiles.StartOf(from), SealFiles.EndOf(until));
        var (imageType, image) = parse.GetValue(picture) is { } imagePath
            ? (parse.GetValue(pictureType) ?? Path.GetExtension(imagePath).TrimStart('.').ToLowerInvariant(), SealFiles.Read(imagePath, "picture"))
            : ("svg", DrawnSeal(sealName));
        var info = new SesSealInfo(new SesHeader(4, "huren"), id, property, new SesPictureInfo(imageType, image, parse.GetValue(size), parse.GetValue(size)), null);
        try
        {
            return SealMaker.Make(info, certificate, key);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"the seal cannot be made: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }
    }

    /// <summary>A round red seal with its name, for a seal registered without an image of its own.</summary>
    private static byte[] DrawnSeal(string name) => System.Text.Encoding.UTF8.GetBytes(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40mm\" height=\"40mm\" viewBox=\"0 0 100 100\">" +
        "<circle cx=\"50\" cy=\"50\" r=\"46\" fill=\"none\" stroke=\"#d00\" stroke-width=\"4\"/>" +
        "<text x=\"50\" y=\"48\" font-size=\"24\" text-anchor=\"middle\" fill=\"#d00\">★</text>" +
        $"<text x=\"50\" y=\"70\" font-size=\"8\" text-anchor=\"middle\" fill=\"#d00\">{SecurityElement.Escape(name)}</text></svg>");
}
