using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Cli.Commands.Network;

/// <summary>
/// <c>huren network propose | sign | apply | pull</c>: configuration updates (a new version chained to the one in force,
/// signed by a strict majority of its members' root keys) and following the chain of versions from a node.
/// </summary>
internal static class NetworkConfigCommands
{
    /// <summary>The folder, beside the genesis, where pulled versions are kept as <c>v&lt;N&gt;.json</c>.</summary>
    public const string VersionsFolderName = "network-versions";

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The folder of pulled versions for the configuration file <paramref name="configPath"/>.</summary>
    public static string VersionsFolder(string configPath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(configPath))!, VersionsFolderName);

    public static IEnumerable<Command> Build() => [BuildMember(), BuildPropose(), BuildSign(), BuildApply(), BuildPull()];

    private static Command BuildMember()
    {
        var dir = new Option<string>("--dir") { Description = "The city's node folder (keys/ as 'huren network init' makes it: log, SM2 log, witness, root public key, TLS certificate).", Required = true };
        var city = new Option<string>("--city") { Description = "The city code (6 digits).", Required = true };
        var networkId = new Option<string>("--network") { Description = "The network id (the origin is huren.<network>/<city>).", Required = true };
        var name = new Option<string>("--name") { Description = "The city's name.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "The node's endpoint URL as the other members dial it (https://host:port).", Required = true };
        var output = new Option<string>("--out", "--output", "-o") { Description = "Write the member entry here (refuses to overwrite).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("member",
            "Describe a city node as a member entry of huren-network/v1 (public keys, endpoint, TLS certificate pin) from its keys/ folder,\n" +
            "for 'huren network propose --add-member'. Private key files are read only to derive their public keys.")
        {
            dir, city, networkId, name, endpoint, output, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(outPath)) throw new CliException($"'{outPath}' exists; choose another --out");
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            var cityCode = parse.GetValue(city)!;
            var origin = $"huren.{parse.GetValue(networkId)}/{cityCode}";
            string In(string relative) => Path.Combine(folder, relative);
            var member = new NetworkMember
            {
                CityCode = cityCode,
                Name = parse.GetValue(name)!,
                Origin = origin,
                LogKey = NoteVerifierKey.ForEd25519(origin, ReadPublicKey(In(NodeKeyPaths.Log))).ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(origin), ReadPublicKey(In(NodeKeyPaths.Witness))).ToString(),
                Sm2PublicKey = ReadPublicKey(In(NodeKeyPaths.Sm2Log)).ToPem(),
                RootKey = ReadPublicKey(In(NodeKeyPaths.RootPublic)).ToPem(),
                Endpoint = ParseEndpoint(parse.GetValue(endpoint)!),
                TlsCertificateSha256 = CertificatePin(In(NodeKeyPaths.TlsCertificate)),
            };
            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            await File.WriteAllTextAsync(outPath, JsonSerializer.Serialize(member, MemberJson) + "\n", ct).ConfigureAwait(false);
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) await writer.WriteLineAsync(JsonSerializer.Serialize(new { file = outPath, cityCode, origin, endpoint = member.Endpoint, tlsCertificateSha256 = member.TlsCertificateSha256 }, Json)).ConfigureAwait(false);
            else await writer.WriteLineAsync($"Wrote member {cityCode} ({origin}, {member.Endpoint}) to {outPath}: huren network propose --add-member {outPath} ...").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static readonly JsonSerializerOptions MemberJson = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Command BuildPropose()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var output = new Option<string>("--out", "--output", "-o") { Description = "Write the proposed version here (refuses to overwrite).", Required = true };
        var from = new Option<string?>("--from") { Description = "The version in force as a file. Default: ask the node (--city) for it." };
        var document = new Option<string?>("--document") { Description = "Start from this edited document (members added or removed, endpoints, certificates) instead of the version in force; version, previous and signatures are set here." };
        var member = new Option<string?>("--member") { Description = "The city whose keys --log-key, --sm2-key, --witness-key or --root-key rotate." };
        var logKey = new Option<string?>("--log-key") { Description = "The member's new Ed25519 log key (PEM file, private or public); the old one is retired." };
        var sm2Key = new Option<string?>("--sm2-key") { Description = "The member's new SM2 log key (PEM file, private or public); the old one is retired." };
        var witnessKey = new Option<string?>("--witness-key") { Description = "The member's new Ed25519 witness key (PEM file, private or public); the old one is retired." };
        var rootKey = new Option<string?>("--root-key") { Description = "The member's new city root key (PEM file, private or public); the old one is retired." };
        var notAfter = new Option<string?>("--not-after") { Description = "End of the retired keys: the last moment they may sign (RFC 3339, e.g. 2026-12-02T15:00:00Z). Default: 10 minutes from now." };
        var revoke = new Option<bool>("--revoke") { Description = "The old keys are compromised: nothing they signed counts any more (old evidence must be refreshed)." };
        var threshold = new Option<int?>("--threshold") { Description = "A new witness threshold." };
        var addMember = new Option<string?>("--add-member") { Description = "Add the member in this file (one members[] entry, e.g. from 'huren network member')." };
        var removeMember = new Option<string?>("--remove-member") { Description = "Remove this city from the members: the others stop following its log (they keep what they hold) and refuse its calls." };
        var endpoint = new Option<string?>("--endpoint") { Description = "The member's (--member) new endpoint URL; the others dial it from their next connection." };
        var tlsCertificate = new Option<string?>("--tls-certificate") { Description = "The member's (--member) new TLS certificate (PEM file); its SHA-256 pin replaces the old one." };
        var command = new Command("propose",
            "Write the next network configuration version: the version in force (from --from or the node) with the changes asked for,\n" +
            "its version + 1, 'previous' = SHA-256 of the version in force's exact bytes, and no signatures yet. Rotating a key moves the\n" +
            "old one to the member's retiredKeys with its end (--not-after) and names its successor. Then 'huren network sign' by a\n" +
            "strict majority of the version in force's members, and 'huren network apply'.")
        {
            output, from, document, member, logKey, sm2Key, witnessKey, rootKey, notAfter, revoke, threshold, addMember, removeMember, endpoint, tlsCertificate,
        };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var outPath = Path.GetFullPath(parse.GetValue(output)!);
            if (File.Exists(outPath)) throw new CliException($"'{outPath}' exists; choose another --out");
            byte[] current;
            if (parse.GetValue(from) is { } fromPath) current = ReadFile(fromPath);
            else
            {
                using var session = access.Open(parse);
                current = (await InForceAsync(session, ct).ConfigureAwait(false)).Bytes;
            }
            var inForce = Parse(current, "the version in force");
            var next = parse.GetValue(document) is { } docPath ? NetworkConfig.Parse(Encoding.UTF8.GetString(ReadFile(docPath))) : NetworkConfig.Parse(inForce.Config.ToJson());
            next.Version = inForce.Version + 1;
            next.Previous = NetworkConfigChain.Digest(current);
            next.Signatures = [];
            if (parse.GetValue(threshold) is { } t) next.WitnessThreshold = t;
            if (parse.GetValue(removeMember) is { } removed)
            {
                var gone = next.MemberByCity(removed) ?? throw new CliException($"--remove-member: city {removed} is not a member of the version in force");
                next.Members.Remove(gone);
            }
            if (parse.GetValue(addMember) is { } memberFile)
            {
                var added = ReadMember(memberFile);
                if (next.MemberByCity(added.CityCode) is not null) throw new CliException($"--add-member: city {added.CityCode} is already a member");
                next.Members.Add(added);
            }
            var rotations = new (string Kind, string? File)[] { ("log", parse.GetValue(logKey)), ("sm2", parse.GetValue(sm2Key)), ("witness", parse.GetValue(witnessKey)), ("root", parse.GetValue(rootKey)) };
            var newEndpoint = parse.GetValue(endpoint);
            var newCertificate = parse.GetValue(tlsCertificate);
            if (rotations.Any(r => r.File is not null) || newEndpoint is not null || newCertificate is not null)
            {
                var city = parse.GetValue(member) ?? throw new CliException("--member is required with --log-key, --sm2-key, --witness-key, --root-key, --endpoint or --tls-certificate");
                var target = next.MemberByCity(city) ?? throw new CliException($"city {city} is not a member of the proposed version");
                var end = ParseEnd(parse.GetValue(notAfter));
                foreach (var (kind, file) in rotations)
                {
                    if (file is not null) Rotate(target, kind, ReadPublicKey(file), end, parse.GetValue(revoke));
                }
                if (newEndpoint is not null) target.Endpoint = ParseEndpoint(newEndpoint);
                if (newCertificate is not null)
                {
                    var pin = CertificatePin(newCertificate);
                    if (string.Equals(pin, target.TlsCertificateSha256, StringComparison.OrdinalIgnoreCase)) throw new CliException($"--tls-certificate: it is the certificate {city} already has");
                    target.TlsCertificateSha256 = pin;
                }
            }
            else if (parse.GetValue(member) is not null) throw new CliException("--member names whose keys rotate or whose endpoint or certificate change: give --log-key, --sm2-key, --witness-key, --root-key, --endpoint or --tls-certificate");
            var json = next.ToJson();
            try
            {
                TrustedNetwork.Parse(json);
            }
            catch (FormatException ex)
            {
                throw new CliException($"the proposed version is not a valid configuration: {ex.Message}", ex);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            await File.WriteAllTextAsync(outPath, json, ct).ConfigureAwait(false);
            var writer = parse.InvocationConfiguration.Output;
            var needed = inForce.Members.Count / 2 + 1;
            if (parse.GetValue(access.Json))
                await writer.WriteLineAsync(JsonSerializer.Serialize(new { file = outPath, version = next.Version, previous = next.Previous, signaturesNeeded = needed, signers = inForce.Members.Select(m => m.CityCode) }, Json)).ConfigureAwait(false);
            else
                await writer.WriteLineAsync($"Proposed network configuration version {next.Version} in {outPath} (previous {next.Previous}); it needs the root-key signatures of {needed} of the {inForce.Members.Count} members of version {inForce.Version}: huren network sign {outPath} --city <city>").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildSign()
    {
        var file = new Argument<string>("file") { Description = "The proposed version (from 'huren network propose'); the signature is added in place." };
        var city = new Option<string>("--city") { Description = "The member signing, by city code.", Required = true };
        var key = new Option<string?>("--key") { Description = "The city root private key (PEM). Default: the profile's root key of that city." };
        var profile = new Option<string?>("--profile") { Description = $"The CLI profile. Default: ${CliProfile.EnvironmentVariable}, else ./{CliProfile.DefaultFileName}." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("sign", "Add a member's city root-key signature to a proposed configuration version (over its JCS canonical form without signatures).")
        {
            file, city, key, profile, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            var text = Encoding.UTF8.GetString(ReadFile(path));
            var cityCode = parse.GetValue(city)!;
            SigningKey root;
            if (parse.GetValue(key) is { } keyPath) root = ReadPrivateKey(keyPath);
            else
            {
                var loaded = CliProfile.Load(CliProfile.Locate(parse.GetValue(profile)));
                var rootPath = loaded.City(cityCode).RootKey;
                if (string.IsNullOrWhiteSpace(rootPath)) throw new CliException($"the profile holds no root key for city {cityCode}; give --key");
                root = loaded.LoadSigningKey(rootPath);
            }
            string signed;
            try
            {
                signed = NetworkConfigChain.AddSignature(text, cityCode, root);
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                throw new CliException($"'{path}' is not a configuration version: {ex.Message}", ex);
            }
            await File.WriteAllTextAsync(path, signed, ct).ConfigureAwait(false);
            var count = NetworkConfig.Parse(signed).Signatures.Count;
            var writer = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json)) await writer.WriteLineAsync(JsonSerializer.Serialize(new { file = path, city = cityCode, signatures = count }, Json)).ConfigureAwait(false);
            else await writer.WriteLineAsync($"Signed {path} as {cityCode}'s city root ({count} signature(s))").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildApply()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var file = new Argument<string>("file") { Description = "The signed version." };
        var command = new Command("apply",
            "Offer a signed configuration version to a node (--city) as its operator: checked here against the version in force first\n" +
            "(chain, version, signatures of a strict majority of its members' root keys), then adopted by the node, which passes it on\n" +
            "to the other members. Each node then signs its checkpoints with the keys the new version lists for it (staged keys).")
        {
            file,
        };
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var bytes = ReadFile(parse.GetValue(file)!);
            using var session = access.Open(parse);
            var inForce = await InForceAsync(session, ct).ConfigureAwait(false);
            if (!bytes.AsSpan().SequenceEqual(inForce.Bytes) && !NetworkConfigChain.VerifyNext(inForce.Bytes, bytes, out _, out var error))
                throw new CliException($"the version does not follow version {inForce.Version} in force at {session.Describe()}: {error}");
            NetworkConfigResponse answer;
            try
            {
                answer = await session.Client.Network.ProposeConfigAsync(new ProposeNetworkConfigRequest { Document = bytes }, session.Options(ct)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!CliApp.IsConnectionProblem(ex))
            {
                throw new CliException($"{session.Describe()} refused the configuration ({ex.StatusCode}): {ex.Status.Detail}", ex);
            }
            var writer = parse.InvocationConfiguration.Output;
            if (session.AsJson) await writer.WriteLineAsync(JsonSerializer.Serialize(new { city = session.City.CityCode, version = answer.Version }, Json)).ConfigureAwait(false);
            else await writer.WriteLineAsync($"Network configuration version {answer.Version} is in force at {session.Describe()}; it passes it on to the other members").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BuildPull()
    {
        var access = new NodeAccessOptions(CliRoles.Auditor);
        var command = new Command("pull",
            $"Follow the chain of configuration versions from a node: ask it for each version after the newest one held here, check\n" +
            $"each against the one before (chain and root-key signatures), and keep them in '{VersionsFolderName}/' beside the genesis.\n" +
            "Every command of this profile, and 'license verify --bundle --network <genesis>', then uses the newest version.");
        access.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var session = access.Open(parse);
            var followed = await session.FollowChainAsync(ct).ConfigureAwait(false);
            var newest = session.Network;
            var writer = parse.InvocationConfiguration.Output;
            if (session.AsJson) await writer.WriteLineAsync(JsonSerializer.Serialize(new { version = newest.Version, pulled = followed }, Json)).ConfigureAwait(false);
            else await writer.WriteLineAsync(followed.Count == 0
                ? $"Network configuration version {newest.Version} is the newest {session.Describe()} holds; nothing to pull"
                : $"Pulled network configuration version(s) {string.Join(", ", followed)} from {session.Describe()}; version {newest.Version} is now in use").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Follows the chain from the session's configuration through the node's versions, keeps the new ones beside the
    /// profile's genesis, and returns the newest version and the version numbers pulled.
    /// </summary>
    internal static async Task<(TrustedNetwork Newest, IReadOnlyList<int> Pulled)> FollowAsync(NodeSession session, CancellationToken ct)
    {
        TrustedNetwork newest;
        IReadOnlyList<byte[]> followed;
        try
        {
            (newest, followed) = await NetworkConfigChain.FollowAsync(session.Network, async version =>
            {
                try
                {
                    return (await session.Client.Network.GetConfigAsync(new GetNetworkConfigRequest { Version = version }, session.Options(ct)).ConfigureAwait(false)).Document;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    return null;
                }
            }).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new CliException($"{session.Describe()}: {ex.Message}", ex);
        }
        catch (RpcException ex) when (!CliApp.IsConnectionProblem(ex))
        {
            throw new CliException($"{session.Describe()} did not answer with its configuration: {CliApp.Describe(ex)}", ex);
        }
        var folder = VersionsFolder(session.Profile.ResolvePath(session.Profile.Genesis));
        var pulled = new List<int>();
        var version = session.Network.Version;
        foreach (var bytes in followed)
        {
            version++;
            Directory.CreateDirectory(folder);
            await File.WriteAllBytesAsync(Path.Combine(folder, $"v{version}.json"), bytes, ct).ConfigureAwait(false);
            pulled.Add(version);
        }
        return (newest, pulled);
    }

    private static async Task<TrustedNetwork> InForceAsync(NodeSession session, CancellationToken ct)
    {
        try
        {
            var answer = await session.Client.Network.GetConfigAsync(new GetNetworkConfigRequest(), session.Options(ct)).ConfigureAwait(false);
            return Parse(answer.Document, $"the configuration in force at {session.Describe()}");
        }
        catch (RpcException ex) when (!CliApp.IsConnectionProblem(ex))
        {
            throw new CliException($"{session.Describe()} did not answer with its configuration: {CliApp.Describe(ex)}", ex);
        }
    }

    private static void Rotate(NetworkMember member, string kind, PublicKey key, DateTimeOffset end, bool revoked)
    {
        string old, successor;
        switch (kind)
        {
            case "log":
                if (key.Algorithm != Huren.Schemas.Envelope.SignatureAlgorithm.Ed25519) throw new CliException($"--log-key must be an Ed25519 key, got {key.Algorithm}");
                (old, successor) = (member.LogKey, NoteVerifierKey.ForEd25519(member.Origin, key).ToString());
                member.LogKey = successor;
                break;
            case "witness":
                if (key.Algorithm != Huren.Schemas.Envelope.SignatureAlgorithm.Ed25519) throw new CliException($"--witness-key must be an Ed25519 key, got {key.Algorithm}");
                (old, successor) = (member.WitnessKey, NoteVerifierKey.ForCosigner(CosignatureSigner.WitnessNameFor(member.Origin), key).ToString());
                member.WitnessKey = successor;
                break;
            case "sm2":
                if (key.Algorithm != Huren.Schemas.Envelope.SignatureAlgorithm.Sm2Sm3) throw new CliException($"--sm2-key must be an SM2 key, got {key.Algorithm}");
                (old, successor) = (member.Sm2PublicKey, key.ToPem());
                member.Sm2PublicKey = successor;
                break;
            default:
                (old, successor) = (member.RootKey, key.ToPem());
                member.RootKey = successor;
                break;
        }
        if (string.Equals(old, successor, StringComparison.Ordinal)) throw new CliException($"the new {kind} key of {member.CityCode} is the key in force");
        if (string.IsNullOrWhiteSpace(old)) return;
        member.RetiredKeys.Add(new RetiredKey
        {
            Kind = kind, Key = old, Successor = successor, Revoked = revoked,
            NotAfter = end.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        });
    }

    private static NetworkMember ReadMember(string path)
    {
        var bytes = ReadFile(path);
        try
        {
            return JsonSerializer.Deserialize<NetworkMember>(bytes) ?? throw new CliException($"'{Path.GetFullPath(path)}' holds no member");
        }
        catch (JsonException ex)
        {
            throw new CliException(Sdk.Files.JsonProblem.Describe($"the member entry '{Path.GetFullPath(path)}'", Encoding.UTF8.GetString(bytes), ex), ex);
        }
    }

    private static string ParseEndpoint(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new CliException($"--endpoint must be an absolute http(s) URL, got '{text}'");
        return text;
    }

    /// <summary>The SHA-256 pin (lower-case hex of the DER bytes) of the PEM certificate in <paramref name="path"/>.</summary>
    private static string CertificatePin(string path)
    {
        try
        {
            using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Encoding.UTF8.GetString(ReadFile(path)));
            return Huren.Sdk.Client.PinnedTls.Fingerprint(certificate);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new CliException($"'{Path.GetFullPath(path)}' is not a PEM certificate: {ex.Message}", ex);
        }
    }

    private static DateTimeOffset ParseEnd(string? text)
    {
        if (text is null) return DateTimeOffset.UtcNow.AddMinutes(10);
        try
        {
            return new RetiredKey { NotAfter = text }.End()!.Value;
        }
        catch (FormatException ex)
        {
            throw new CliException($"--not-after: {ex.Message}", ex);
        }
    }

    private static TrustedNetwork Parse(byte[] bytes, string what)
    {
        try
        {
            return TrustedNetwork.Parse(bytes);
        }
        catch (FormatException ex)
        {
            throw new CliException($"{what} is not a valid configuration: {ex.Message}", ex);
        }
    }

    private static byte[] ReadFile(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ReadAllBytes(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"'{full}' cannot be read: {ex.Message}", ex);
        }
    }

    private static SigningKey ReadPrivateKey(string path)
    {
        try
        {
            return SigningKey.FromPem(Encoding.UTF8.GetString(ReadFile(path)));
        }
        catch (FormatException ex)
        {
            throw new CliException($"'{Path.GetFullPath(path)}' is not a private key: {ex.Message}", ex);
        }
    }

    private static PublicKey ReadPublicKey(string path)
    {
        var text = Encoding.UTF8.GetString(ReadFile(path));
        try
        {
            return text.Contains("PUBLIC KEY", StringComparison.Ordinal) ? PublicKey.FromPem(text) : SigningKey.FromPem(text).PublicKey;
        }
        catch (FormatException ex)
        {
            throw new CliException($"'{Path.GetFullPath(path)}' is not a PEM key: {ex.Message}", ex);
        }
    }
}
