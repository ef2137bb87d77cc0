using System.CommandLine;
using System.Text.Json;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Files;

namespace Huren.Cli.Commands.Keys;

/// <summary><c>huren keys</c>: key generation.</summary>
internal static class KeysCommand
{
    public static Command Build()
    {
        var keys = new Command("keys", "Make and inspect signing keys (SM2, P-256, Ed25519).");
        var alg = new Option<string>("--alg") { Description = "Algorithm: sm2 (SM2-with-SM3), p256 (ECDSA P-256) or ed25519.", DefaultValueFactory = _ => "sm2" };
        alg.AcceptOnlyFromAmong("sm2", "p256", "ed25519");
        var output = new Option<string?>("--out", "--output", "-o") { Description = "Write the private key (PKCS#8 PEM) here (owner-only) and the public key beside it as <name>.pub.pem; without it, print both (with --json: privateKeyPem and publicKeyPem)." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var gen = new Command("gen", "Generate a key pair; prints its key id.") { alg, output, json };
        gen.SetAction((parse, ct) =>
        {
            var algorithm = parse.GetValue(alg) switch
            {
                "p256" => SignatureAlgorithm.EcdsaP256Sha256,
                "ed25519" => SignatureAlgorithm.Ed25519,
                _ => SignatureAlgorithm.Sm2Sm3,
            };
            var key = SigningKey.Generate(algorithm);
            var outPath = parse.GetValue(output);
            var stdout = parse.InvocationConfiguration.Output;
            string? publicPath = null;
            if (outPath is not null)
            {
                if (File.Exists(outPath)) throw new CliException($"'{outPath}' exists; refusing to overwrite a key");
                var dir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
                Directory.CreateDirectory(dir);
                DurableFile.CreatePrivate(outPath, key.ToPem());
                publicPath = Path.Combine(dir, Path.GetFileNameWithoutExtension(outPath) + ".pub.pem");
                File.WriteAllText(publicPath, key.PublicKey.ToPem());
            }
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(new
                {
                    algorithm = parse.GetValue(alg),
                    keyId = key.Id.ToString(),
                    privateKeyFile = outPath,
                    publicKeyFile = publicPath,
                    // Without -o the printed key is the only copy: JSON carries it as the text form does.
                    privateKeyPem = outPath is null ? key.ToPem() : null,
                    publicKeyPem = key.PublicKey.ToPem(),
                }));
            }
            else
            {
                stdout.WriteLine($"key id {key.Id} ({parse.GetValue(alg)})");
                if (outPath is null)
                {
                    stdout.Write(key.ToPem());
                    stdout.Write(key.PublicKey.ToPem());
                }
                else
                {
                    stdout.WriteLine($"private key: {outPath}");
                    stdout.WriteLine($"public key:  {publicPath}");
                }
            }
            return Task.FromResult(ExitCodes.Success);
        });
        keys.Subcommands.Add(gen);
        return keys;
    }
}
