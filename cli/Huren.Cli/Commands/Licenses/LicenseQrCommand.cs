using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Sdk.Client;
using Huren.Sdk.Evidence;
using QRCoder;

namespace Huren.Cli.Commands.Licenses;

/// <summary>
/// <c>huren license qr ID -o FILE.png</c>: a QR code for the license document, carrying the license's reference (its id
/// and the origin, index and leaf hash of the entry that answers for it; docs/counter.md). The entry is taken from
/// evidence verified here, so the code never names an entry the network's evidence does not show.
/// </summary>
internal static class LicenseQrCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Issuer);
        var id = new Argument<string>("license-id") { Description = "The 证照标识 to make a code for." };
        var outputPath = new Option<string>("--output", "--out", "-o") { Description = "The PNG file to write.", Required = true };
        var pixels = new Option<int>("--pixels-per-module") { Description = "Size of one QR module in pixels (2–40).", DefaultValueFactory = _ => 8 };
        var qr = new Command("qr",
            "Write a QR code (PNG) of the license's reference, for printing on the license: 'huren:license?v=1&id=…&o=…&i=…&h=…'\n" +
            "(id, and the origin, index and leaf hash of its issue entry, or of its acceptance after a transfer). A counter's\n" +
            "page resolves it and believes it only when the verified evidence holds that very entry.") { id, outputPath, pixels };
        access.AddTo(qr);
        qr.SetAction(async (parse, ct) =>
        {
            var size = parse.GetValue(pixels);
            if (size is < 2 or > 40) throw new CliException($"--pixels-per-module must be between 2 and 40, got {size}");
            using var session = access.Open(parse);
            var licenseId = parse.GetValue(id)!;
            var answer = await session.VerifyAsync(LicenseQuestion.ById(licenseId), TimeSpan.Zero, null, ct).ConfigureAwait(false);
            if (answer.IsUnknown) throw new CliException($"license {licenseId} is not known to {session.Describe()}: {answer.Response.Reason}");
            if (!answer.IsVerified) throw new CliException($"the node's evidence for {licenseId} does not verify, so no code is made: {answer.Failure}");
            var reference = LicenseReference.From(answer.Evidence);
            var text = reference.ToString();
            var png = Render(text, size);
            var path = Path.GetFullPath(parse.GetValue(outputPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, png, ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    licenseId, reference = text, origin = reference.Origin, index = reference.Index, leafHash = Convert.ToHexStringLower(reference.LeafHash), path, bytes = png.Length,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"Wrote the QR code of {licenseId} to {path}").ConfigureAwait(false);
                await output.WriteLineAsync(text).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        return qr;
    }

    /// <summary>The reference as a PNG QR code: error correction M (15 %), byte mode, a quiet zone of four modules.</summary>
    internal static byte[] Render(string text, int pixelsPerModule)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, QRCodeGenerator.ECCLevel.M);
        using var code = new PngByteQRCode(data);
        return code.GetGraphic(pixelsPerModule);
    }
}
